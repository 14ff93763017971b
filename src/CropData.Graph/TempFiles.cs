using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CropData.Graph;

/// <summary>
/// The one naming rule for files and folders a build writes before they are complete, and the one sweep that
/// removes what a killed run left. A temp sits beside its final path as <c>.&lt;stem&gt;.&lt;pid&gt;-&lt;8 hex&gt;.tmp&lt;.ext&gt;</c>
/// (the extension stays: some writers pick the format from it; the pid tells a live writer's temp from a dead one's).
/// </summary>
public static partial class TempFiles
{
    /// <summary>A fresh temp path beside <paramref name="finalPath"/> (same folder, so the rename is atomic).</summary>
    public static string PathFor(string finalPath)
    {
        string full = Path.GetFullPath(finalPath);
        string name = Path.GetFileName(full);
        string ext = Path.GetExtension(name);
        string stem = ext.Length > 0 ? name[..^ext.Length] : name;
        string token = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));
        return Path.Combine(Path.GetDirectoryName(full)!,
            string.Create(CultureInfo.InvariantCulture, $".{stem}.{Environment.ProcessId}-{token}.tmp{ext}"));
    }

    /// <summary>A name made by <see cref="PathFor"/> (or by the engine's earlier rule without the pid).</summary>
    public static bool IsTemp(string fileName) => TempName().IsMatch(fileName);

    /// <summary>
    /// Anything a killed write can leave: our temps, GDAL's <c>&lt;file&gt;.&lt;pid&gt;-&lt;thread&gt;.partial</c>, the IPFS
    /// fetcher's unverified staging files, and <c>*.tmp</c> names of earlier versions of this tool.
    /// </summary>
    public static bool IsLeftover(string fileName) => IsTemp(fileName) || Leftover().IsMatch(fileName);

    /// <summary>The writer's pid recorded in a temp name made by <see cref="PathFor"/>, if any.</summary>
    public static int? OwnerPid(string fileName)
    {
        var m = TempName().Match(fileName);
        return m.Success && m.Groups["pid"].Success && int.TryParse(m.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid : null;
    }

    /// <summary>
    /// Deletes every leftover under <paramref name="folder"/> (recursively, temp folders included). Call it only while
    /// holding the lock that keeps other writers out of the folder. Returns the deleted paths.
    /// </summary>
    public static IReadOnlyList<string> Sweep(string folder)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir, "*", options))
            {
                if (IsLeftover(Path.GetFileName(sub)) || LegacyTreeTemp().IsMatch(Path.GetFileName(sub)))
                {
                    if (TryDeleteFolder(sub)) removed.Add(sub);
                }
                else pending.Push(sub);
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*", options))
                if (IsLeftover(Path.GetFileName(file)) && TryDelete(file))
                    removed.Add(file);
        }
        return removed;
    }

    /// <summary>
    /// Deletes the temps beside <paramref name="finalPath"/> whose writer is no longer running (shared folders: other
    /// builds may be writing theirs). Also the <c>&lt;name&gt;.tmp-&lt;pid&gt;-…</c> folders of earlier versions.
    /// </summary>
    /// <remarks>Call it holding the lock of <paramref name="finalPath"/>: then no other writer of it is running, in this
    /// process or another, and this process's own earlier temps are leftovers too.</remarks>
    public static void SweepAbandoned(string finalPath)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(finalPath));
        SweepAbandonedIn(Path.GetDirectoryName(full)!, Path.GetFileName(full), ownTempsToo: true);
    }

    /// <summary>
    /// Deletes the temps directly in <paramref name="folder"/> (a data folder several builds share) whose writer is no
    /// longer running; with <paramref name="finalName"/>, only the temps of that file or folder. Temps of this process
    /// are left alone unless <paramref name="ownTempsToo"/>: another build in this process may be writing them.
    /// </summary>
    public static void SweepAbandonedIn(string folder, string? finalName = null, bool ownTempsToo = false)
    {
        if (!Directory.Exists(folder)) return;
        string? stem = finalName is null ? null : Path.GetExtension(finalName) is { Length: > 0 } ext ? finalName[..^ext.Length] : finalName;
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            string name = Path.GetFileName(entry);
            int? pid;
            if (IsTemp(name) && (stem is null || name.StartsWith("." + stem + ".", StringComparison.Ordinal))) pid = OwnerPid(name);
            else if (LegacyTreeTemp().IsMatch(name) && (finalName is null || name.StartsWith(finalName + ".tmp-", StringComparison.Ordinal)))
                pid = int.TryParse(name[(name.LastIndexOf(".tmp-", StringComparison.Ordinal) + 5)..].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
            else continue;
            if (pid is { } owner && (owner == Environment.ProcessId ? !ownTempsToo : IsRunning(owner))) continue;
            if (Directory.Exists(entry)) TryDeleteFolder(entry);
            else TryDelete(entry);
        }
    }

    internal static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static bool TryDelete(string file)
    {
        try { File.Delete(file); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static bool TryDeleteFolder(string dir)
    {
        try { Directory.Delete(dir, recursive: true); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [GeneratedRegex(@"^\..+\.((?<pid>[0-9]+)-)?[0-9a-f]{8}\.tmp(\.[^.]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();

    [GeneratedRegex(@"(\.tmp$)|(\.unverified(\.spill)?$)|(\.partial$)", RegexOptions.CultureInvariant)]
    private static partial Regex Leftover();

    [GeneratedRegex(@"\.tmp-[0-9]+-[0-9a-f]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyTreeTemp();
}

/// <summary>
/// The one way to write a whole file atomically: bytes go to a <see cref="TempFiles"/> temp beside the final path,
/// which is then renamed over it. Readers see the old file or the new one, never a part.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes the file; with <paramref name="onlyIfChanged"/> an identical file is left as it is (mtime too). True when written.</summary>
    public static bool WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool onlyIfChanged = true)
    {
        string full = Path.GetFullPath(path);
        if (onlyIfChanged && File.Exists(full) && new FileInfo(full).Length == bytes.Length && File.ReadAllBytes(full).AsSpan().SequenceEqual(bytes))
            return false;
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = TempFiles.PathFor(full);
        try
        {
            using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                s.Write(bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TempFiles.TryDelete(temp);
            throw;
        }
        return true;
    }

    public static bool WriteAllText(string path, string text, bool onlyIfChanged = true) =>
        WriteAllBytes(path, Utf8.GetBytes(text), onlyIfChanged);

    /// <summary>For writers that need a path (GDAL, CSV writers): <paramref name="write"/> fills the temp, which then replaces the file.</summary>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = TempFiles.PathFor(full);
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TempFiles.TryDelete(temp);
            throw;
        }
    }
}
