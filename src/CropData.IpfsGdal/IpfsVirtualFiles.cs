using System.Collections.Concurrent;
using CropData.Gdal.Vsi;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Ranges;

namespace CropData.IpfsGdal;

/// <summary>
/// UnixFS files as GDAL paths <c>/vsiipfs/CID</c> (download.mode ranges, docs/PIPELINE.md stage 8): GDAL's reads
/// become verified byte ranges of the file, fetched block by block through a <see cref="BlockFetcher"/> (cache, then
/// its sources). GDAL's handler is process-wide; the fetcher used is the one of the <see cref="ReadScope"/> open on
/// the calling thread (a reproject unit's), so two builds in one process (the tests) each read through their own
/// sources. A scope also records which leaves its reads used, per CID (the manifest's <c>bytes_read</c>).
/// </summary>
public sealed class IpfsVirtualFiles
{
    public const string Prefix = "/vsiipfs/";
    private static readonly Lazy<bool> Registered = new(() =>
    {
        VirtualFileSystem.Register(Prefix, new Provider());
        return true;
    });

    [ThreadStatic] private static ReadScope? _scope;

    private readonly ConcurrentDictionary<string, Lazy<UnixFsRangeFile>> _files = new(StringComparer.Ordinal);

    public IpfsVirtualFiles(BlockFetcher fetcher)
    {
        Fetcher = fetcher;
        _ = Registered.Value;
    }

    public BlockFetcher Fetcher { get; }

    /// <summary>The whole sizes of the band files opened so far (what whole downloads would have fetched).</summary>
    public long WholeBytes => _files.Values.Where(f => f.IsValueCreated).Sum(f => TryLength(f));

    public int FilesOpened => _files.Values.Count(f => f.IsValueCreated);

    public static string PathOf(string cid) => Prefix + cid;

    /// <summary>Routes this thread's /vsiipfs/ reads to this build's fetcher until disposed, recording the leaves they use.</summary>
    public ReadScope BeginReads() => _scope = new ReadScope(this);

    /// <summary>
    /// The leaves used by the reads of the calling thread's scope, for <see cref="CropData.Gdal.WarpedChunkCache.Reads"/>:
    /// a chunk one unit warped and another took from the cache counts as read by both.
    /// </summary>
    public static readonly CropData.Gdal.ISourceReadLog ReadLog = new ScopeReadLog();

    private sealed class ScopeReadLog : CropData.Gdal.ISourceReadLog
    {
        public object? Begin() => _scope?.BeginNoting();
        public object? End(object? noting) => noting is ReadScope.Noted n ? _scope?.EndNoting(n) : null;
        public void Replay(object? reads)
        {
            if (reads is ReadScope.Noted n && _scope is { } scope)
                foreach (var (cid, size, leaves) in n.Reads) scope.Add(cid, size, leaves);
        }
    }

    private UnixFsRangeFile File(string cid)
    {
        var lazy = _files.GetOrAdd(cid, k => new Lazy<UnixFsRangeFile>(
            () => UnixFsRangeFile.OpenAsync(Cid.Parse(k), Fetcher).GetAwaiter().GetResult()));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A root that could not be fetched (all sources down for a moment) is tried again by the next open.
            _files.TryRemove(new KeyValuePair<string, Lazy<UnixFsRangeFile>>(cid, lazy));
            throw;
        }
    }

    private static long TryLength(Lazy<UnixFsRangeFile> f)
    {
        try { return f.Value.Length; }
        catch (Exception) { return 0; }
    }

    /// <summary>One unit's reads: routes them, and records the leaves they used per CID (file offset → length).</summary>
    public sealed class ReadScope(IpfsVirtualFiles files) : IDisposable
    {
        private readonly Dictionary<string, SortedDictionary<long, long>> _leaves = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);

        internal IpfsVirtualFiles Files => files;

        /// <summary>The first read that failed in this scope (GDAL was told; this makes sure the unit fails too).</summary>
        public Exception? Failure { get; internal set; }

        private readonly List<Noted> _noting = [];

        /// <summary>Reads noted between <see cref="BeginNoting"/> and <see cref="EndNoting"/>.</summary>
        internal sealed class Noted
        {
            public List<(string Cid, long Size, IReadOnlyList<(long Start, long Length)> Leaves)> Reads { get; } = [];
        }

        internal Noted BeginNoting()
        {
            var n = new Noted();
            lock (_leaves) _noting.Add(n);
            return n;
        }

        internal Noted EndNoting(Noted n)
        {
            lock (_leaves) _noting.Remove(n);
            return n;
        }

        internal void Add(string cid, long size, IReadOnlyList<(long Start, long Length)> leaves)
        {
            lock (_leaves)
            {
                if (!_leaves.TryGetValue(cid, out var set)) _leaves[cid] = set = [];
                foreach (var (start, length) in leaves) set[start] = length;
                _sizes[cid] = size;
                foreach (var n in _noting) n.Reads.Add((cid, size, leaves));
            }
        }

        /// <summary>The whole size of <paramref name="cid"/>'s file, once read in this scope.</summary>
        public long? Size(string cid)
        {
            lock (_leaves) return _sizes.TryGetValue(cid, out var s) ? s : null;
        }

        /// <summary>The leaves read of <paramref name="cid"/>, as [offset, length] pairs in offset order.</summary>
        public IReadOnlyList<long[]> Leaves(string cid)
        {
            lock (_leaves)
                return _leaves.TryGetValue(cid, out var set) ? [.. set.Select(kv => new[] { kv.Key, kv.Value })] : [];
        }

        public void Dispose()
        {
            if (ReferenceEquals(_scope, this)) _scope = null;
        }
    }

    private sealed class Provider : IVirtualFileProvider
    {
        private static ReadScope Scope(string name) => _scope
            ?? throw new InvalidOperationException($"{Prefix}{name}: read outside an IPFS read scope (IpfsVirtualFiles.BeginReads on this thread)");

        public long? Stat(string name) => Cid.TryParse(name, out _) ? Scope(name).Files.File(name).Length : null;

        public IVirtualFile? Open(string name)
        {
            if (!Cid.TryParse(name, out _)) return null;
            var scope = Scope(name);
            return new Handle(name, scope.Files.File(name), scope);
        }
    }

    private sealed class Handle(string cid, UnixFsRangeFile file, ReadScope scope) : IVirtualFile
    {
        public long Length => file.Length;

        public int Read(long offset, Span<byte> buffer)
        {
            var count = (int)Math.Clamp(file.Length - offset, 0, buffer.Length);
            if (count == 0) return 0;
            var temp = new byte[count];
            ReadRanges([(offset, temp)]);
            temp.CopyTo(buffer);
            return count;
        }

        public void ReadRanges(IReadOnlyList<(long Offset, Memory<byte> Buffer)> ranges)
        {
            try
            {
                scope.Add(cid, file.Length, file.ReadRangesAsync(ranges).GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                scope.Failure ??= e;
                throw;
            }
        }

        public void Dispose() { }
    }
}
