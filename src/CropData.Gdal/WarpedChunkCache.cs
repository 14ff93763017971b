using System.Collections.Concurrent;

namespace CropData.Gdal;

/// <summary>
/// Whole-grid warp chunks that <see cref="GridWindowWarper"/> had to warp whole (those where GDAL widened the kernel),
/// kept for the other windows of the same source: the chip rows of one band file share them. Without it, each chip
/// row warped the whole chunk again — on a small tile whose grid is one such chunk, every row warped the whole grid.
/// <para>
/// Keyed by the source file's path, size and modification time, the destination grid, the resampling and the
/// chunk, so a replaced file is never answered from the cache; give one cache to the warps of one build stage (the
/// files do not change while it runs) rather than keeping one for the life of the process. Bounded: past
/// <see cref="MaxBytes"/> the oldest chunks are dropped (a dropped chunk is warped again, with the same pixels).
/// Thread-safe.
/// </para>
/// </summary>
public sealed class WarpedChunkCache(long maxBytes = 512L << 20)
{
    private sealed class Entry
    {
        public Array? Pixels;
        public object? Reads;
    }

    /// <summary>
    /// Notes what the calling thread's warps read of their sources (download.mode ranges: the IPFS leaves each reproject
    /// unit read, which it writes as an output). A chunk served from the cache replays what its warp read, so what a
    /// window's warp notes is the same whichever window warped the chunk first: a resumed build records what an
    /// uninterrupted one did.
    /// </summary>
    public ISourceReadLog? Reads { get; init; }

    private readonly ConcurrentDictionary<string, Entry> _chunks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, long Bytes)> _order = new();
    private long _bytes;
    private int _warped, _served;

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Chunks warped (misses) and served again (hits), for benchmarks and tests.</summary>
    public int Warped => _warped;
    public int Served => _served;

    /// <summary>The key of a warper's chunks but the chunk index: the file as it is when the warper opens it.</summary>
    internal static string KeyPrefix(string sourcePath, RasterGrid grid, Resampling resampling)
    {
        // A virtual file (/vsiipfs/CID) is named by its content: the name is its identity.
        if (sourcePath.StartsWith("/vsi", StringComparison.Ordinal) && !File.Exists(sourcePath))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sourcePath}|{grid}|{resampling}|");
        var file = new FileInfo(sourcePath);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{grid}|{resampling}|");
    }

    /// <summary>The chunk's pixels; the first caller warps them with its own <paramref name="warp"/> (its own GDAL handles), others wait.</summary>
    internal T[] GetOrWarp<T>(string key, Func<T[]> warp) where T : unmanaged
    {
        var entry = _chunks.GetOrAdd(key, _ => new Entry());
        long size;
        T[] pixels;
        lock (entry)
        {
            if (entry.Pixels is T[] cached)
            {
                Reads?.Replay(entry.Reads);
                Interlocked.Increment(ref _served);
                return cached;
            }
            var noting = Reads?.Begin();
            try { pixels = warp(); } // an exception leaves the entry empty: the next caller warps again
            finally { entry.Reads = Reads?.End(noting); }
            entry.Pixels = pixels;
            size = (long)pixels.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        }
        Interlocked.Increment(ref _warped);
        _order.Enqueue((key, size));
        if (Interlocked.Add(ref _bytes, size) > MaxBytes)
            while (Interlocked.Read(ref _bytes) > MaxBytes && _order.TryDequeue(out var oldest))
            {
                _chunks.TryRemove(oldest.Key, out _);
                Interlocked.Add(ref _bytes, -oldest.Bytes);
            }
        return pixels;
    }
}

/// <summary>A record of the source bytes the calling thread's reads use (see <see cref="WarpedChunkCache.Reads"/>).</summary>
public interface ISourceReadLog
{
    /// <summary>Starts noting the calling thread's reads (null: nothing is recorded on this thread).</summary>
    object? Begin();

    /// <summary>Stops noting; what was read since <see cref="Begin"/> returned <paramref name="noting"/>.</summary>
    object? End(object? noting);

    /// <summary>Records on the calling thread reads noted earlier (by <see cref="End"/>), as if made again.</summary>
    void Replay(object? reads);
}
