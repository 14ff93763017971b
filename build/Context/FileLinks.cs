using System.Runtime.InteropServices;

namespace CropData.Build.Context;

/// <summary>Hard links where the file system allows them (the same bytes under a second name, no second copy on disk).</summary>
public static partial class FileLinks
{
    /// <summary>Makes <paramref name="created"/> a hard link to <paramref name="existing"/>; false when the file system refuses.</summary>
    public static bool TryLink(string existing, string created)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            return Link(existing, created) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>A hard link, or a copy when linking is refused (another file system).</summary>
    public static void LinkOrCopy(string existing, string created)
    {
        if (!TryLink(existing, created)) File.Copy(existing, created, overwrite: true);
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
