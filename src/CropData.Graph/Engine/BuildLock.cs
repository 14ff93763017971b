using System.Globalization;

namespace CropData.Graph.Engine;

/// <summary>Thrown when another build holds the dataset folder.</summary>
internal sealed class BuildLockedException(string message) : Exception(message);

/// <summary>
/// An exclusive lock file in the state directory for the whole run. .NET implements FileShare.None with
/// flock(LOCK_EX|LOCK_NB) on Unix, so the kernel drops it when the process dies, even by kill -9. A shard
/// takes its own lock (shards of one array job run side by side) and refuses to start while a full build runs;
/// a full build refuses while any shard runs. The holder's pid also goes to a ".pid" file next to the lock,
/// because .NET cannot read a file another process holds with FileShare.None.
/// </summary>
internal sealed class BuildLock : IDisposable
{
    private const string MainName = "build.lock";
    private readonly FileStream _stream;
    private readonly string _pidFile;

    private BuildLock(FileStream stream, string pidFile)
    {
        _stream = stream;
        _pidFile = pidFile;
    }

    public static BuildLock Acquire(string stateDirectory, string datasetFolder, ShardSpec? shard)
    {
        Directory.CreateDirectory(stateDirectory);
        string name = shard is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"build.shard-{s.Index}-of-{s.Count}.lock")
            : MainName;
        string path = Path.Combine(stateDirectory, name);
        var stream = TryOpen(path)
            ?? throw new BuildLockedException(Describe(path, datasetFolder, shard is null ? "another build" : $"another build of shard {shard}"));
        var held = new BuildLock(stream, path + ".pid");
        try
        {
            string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(pid + "\n"));
            stream.Flush();
            AtomicFile.WriteAllText(held._pidFile, pid + "\n", onlyIfChanged: false);

            if (shard is null)
            {
                foreach (var other in Directory.EnumerateFiles(stateDirectory, "build.shard-*.lock"))
                    if (IsHeld(other))
                        throw new BuildLockedException(Describe(other, datasetFolder, "a sharded build"));
            }
            else if (IsHeld(Path.Combine(stateDirectory, MainName)))
            {
                throw new BuildLockedException(Describe(Path.Combine(stateDirectory, MainName), datasetFolder, "another build"));
            }
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryOpen(path);
        return probe is null;
    }

    private static string Describe(string lockPath, string folder, string who)
    {
        // The holder writes its pid file (atomically) just after taking the lock: a build refused in that instant
        // waits for it briefly instead of reporting an unknown pid.
        string pid = "unknown";
        for (int attempt = 0; attempt < 40 && pid == "unknown"; attempt++)
        {
            try
            {
                string text = File.ReadAllText(lockPath + ".pid").Trim();
                if (text.Length > 0) pid = text;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            if (pid == "unknown") Thread.Sleep(50);
        }
        return $"{who} (pid {pid}) is running on {folder} (lock {lockPath})";
    }

    public void Dispose()
    {
        try { File.Delete(_pidFile); } catch (IOException) { }
        // The lock file itself stays: deleting a flock'ed file lets a third process lock a different inode.
        _stream.Dispose();
    }
}

/// <summary>
/// A blocking lock on a folder shared by several datasets (a generated input tree in the data folder): the lock file
/// <c>.&lt;name&gt;.lock</c> sits beside the folder, taken with flock like the build lock (released by the kernel when the
/// holder dies). A second build waits for the first instead of refusing: both want the same result.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    public static FolderLock Acquire(string folder, IBuildLog log, CancellationToken cancellation)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string path = Path.Combine(parent, "." + Path.GetFileName(full) + ".lock");
        bool said = false;
        while (true)
        {
            try
            {
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!said)
                {
                    log.Information($"waiting for another build that is writing {full}");
                    said = true;
                }
                cancellation.ThrowIfCancellationRequested();
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
