using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Blocks;

/// <summary>
/// Verified blocks on disk, one file per block named by its multihash (base32; CIDv0 and CIDv1 of a block share it),
/// under two-character fan-out folders. Shared by every build of a data folder, also at the same time:
/// <list type="bullet">
/// <item>a block is written to a unique temp name and renamed onto its name, so a reader (or a killed writer) never
/// sees a partial block under a block's name, and two writers of the same block agree (same bytes);</item>
/// <item>every read re-hashes the bytes against the CID: a damaged entry is deleted and reported as a miss;</item>
/// <item>with <see cref="MaxBytes"/>, the least recently used blocks (by modification time, which a hit refreshes)
/// are evicted once the cache outgrows the bound; a block evicted while another build reads it is simply refetched.</item>
/// </list>
/// </summary>
public sealed class BlockCache
{
    private readonly Lock _evictLock = new();
    private long _approxBytes;
    private int _sized;
    private int _corrupt;

    public BlockCache(string directory, long? maxBytes = null)
    {
        if (maxBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "the cache bound must be positive");
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public long? MaxBytes { get; }

    /// <summary>Entries found damaged (wrong hash) and deleted since this instance was made.</summary>
    public int CorruptEntries => Volatile.Read(ref _corrupt);

    public string PathOf(Cid cid)
    {
        var name = Multibase.EncodeBase32(cid.Multihash);
        return Path.Combine(Directory, name[^2..], name);
    }

    /// <summary>The block's verified bytes, or null when it is not cached (or its entry was damaged and is now gone).</summary>
    public byte[]? TryGet(Cid cid)
    {
        var path = PathOf(cid);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!cid.Matches(data))
        {
            Interlocked.Increment(ref _corrupt);
            TryDelete(path);
            return null;
        }
        if (MaxBytes is not null) Touch(path);
        return data;
    }

    /// <summary>Stores verified bytes under the block's name (atomically; a block already there is left alone).</summary>
    public void Put(Cid cid, ReadOnlySpan<byte> verified)
    {
        var path = PathOf(cid);
        if (File.Exists(path)) return;
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // The project's temp rule (.<name>.<pid>-<8 hex>.tmp beside the target): a killed writer's temp is never
        // read as a block, and is swept by the next build once its process is gone.
        var temp = Path.Combine(Path.GetDirectoryName(path)!, FormattableString.Invariant(
            $".{Path.GetFileName(path)}.{Environment.ProcessId}-{Random.Shared.Next():x8}.tmp"));
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                f.Write(verified);
                f.Flush(flushToDisk: false);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
        if (MaxBytes is not { } max) return;
        // The first put of this instance counts what earlier builds left; later puts keep a running total.
        if (Interlocked.Exchange(ref _sized, 1) == 0) Interlocked.Add(ref _approxBytes, SizeOnDisk() - verified.Length);
        if (Interlocked.Add(ref _approxBytes, verified.Length) > max) Evict(max);
    }

    /// <summary>Deletes the temp files of writers that died mid-write (their process is gone); returns how many.</summary>
    public int SweepDeadTemps()
    {
        var removed = 0;
        foreach (var f in System.IO.Directory.EnumerateFiles(Directory, ".*.tmp", SearchOption.AllDirectories))
            if (OwnerPid(Path.GetFileName(f)) is not { } pid || !IsAlive(pid))
                if (TryDelete(f)) removed++;
        return removed;
    }

    private static int? OwnerPid(string name)
    {
        var dash = name.LastIndexOf('-');
        var dot = name.LastIndexOf('.', Math.Max(dash, 0));
        return dash > 0 && dot >= 0 && int.TryParse(name.AsSpan(dot + 1, dash - dot - 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Bytes of the cached blocks (a scan: other builds may have added some).</summary>
    public long SizeOnDisk() => Entries().Sum(f => f.Length);

    private IEnumerable<FileInfo> Entries() =>
        new DirectoryInfo(Directory).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => !f.Name.StartsWith('.'));

    private void Evict(long max)
    {
        lock (_evictLock)
        {
            // Rescan: the running total is this process's estimate; the disk is the truth when builds share the cache.
            var entries = Entries().ToList();
            var total = entries.Sum(f => f.Length);
            // Down to 90 % of the bound, oldest first, so that eviction does not run on every put.
            var target = max - max / 10;
            foreach (var f in entries.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal))
            {
                if (total <= target) break;
                if (TryDelete(f.FullName)) total -= f.Length;
            }
            Interlocked.Exchange(ref _approxBytes, total);
        }
    }

    private static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
