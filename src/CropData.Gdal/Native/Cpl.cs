using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>CPL (common portability library) entry points: errors, config options, memory.</summary>
internal static partial class Cpl
{
    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void CPLSetConfigOption(string key, string? value);

    // GDAL owns the returned buffer: return nint and copy (declaring string would free GDAL's memory).
    [LibraryImport(GdalLibrary.Name)]
    internal static partial nint CPLGetLastErrorMsg();

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int CPLGetLastErrorNo();

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void CPLErrorReset();

    [LibraryImport(GdalLibrary.Name)]
    internal static partial nint CPLSetErrorHandler(nint handler);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void VSIFree(nint p);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALVersionInfo(string request);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void GDALAllRegister();

    internal static string? Copy(nint p) => p == 0 ? null : Marshal.PtrToStringUTF8(p);

    internal static string LastError()
    {
        var msg = Copy(CPLGetLastErrorMsg());
        var text = string.IsNullOrWhiteSpace(msg) ? "no message from GDAL" : msg.Trim();
        // A virtual file's failure (a block that did not verify, a source that failed) explains GDAL's terse "read failed".
        if (Vsi.VirtualFileSystem.Failure is { } failure)
        {
            Vsi.VirtualFileSystem.ClearFailure();
            if (!text.Contains(failure.Message, StringComparison.Ordinal)) text += $" (caused by: {failure.Message})";
        }
        return text;
    }
}
