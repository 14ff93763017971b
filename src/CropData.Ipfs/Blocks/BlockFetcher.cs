using System.Collections.Concurrent;
using System.Globalization;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>
/// What one endpoint of a source delivered (a source that serves ranges has two: its blocks and its ranges): verified
/// blocks and their bytes, blocks it sent wrong, failed tries, requests made, and why it is no longer asked
/// (<see cref="Unsupported"/>, null while it is).
/// </summary>
public sealed record BlockSourceStats(string Source, long Blocks, long Bytes, long Rejected, long Failures, long Requests = 0, string? Unsupported = null);

/// <summary>A fetcher's counters: blocks from the cache and from identity CIDs, and per source endpoint.</summary>
public sealed record BlockFetchStats(long CacheBlocks, long CacheBytes, long IdentityBlocks, IReadOnlyList<BlockSourceStats> Sources)
{
    public long FetchedBytes => Sources.Sum(s => s.Bytes);
    public long FetchedBlocks => Sources.Sum(s => s.Blocks);
}

/// <summary>A leaf of a UnixFS file: its CID and where its bytes lie in the file.</summary>
public readonly record struct FileLeaf(Cid Cid, long Start, long Length);

/// <summary>
/// Gets blocks by CID, verified: the cache first (re-verified there), then the sources in the configured order.
/// Bytes that do not hash to the CID are never returned nor cached: the block is asked of the next source (a source
/// that sent a wrong block is not asked again for it). Transient failures (timeouts, 5xx, broken transfers) are retried
/// with exponential back-off as <see cref="IpfsFetcher"/> does, at most <see cref="IBlockSource.MaxConcurrency"/>
/// requests per source at once. Concurrent requests for the same block share one fetch.
/// <para>
/// A source endpoint that answers in a way showing it does not serve that kind of request at all (a Content-Type that
/// is not a block or a CAR, 405, 501, Kubo RPC's 404) is marked unsupported on its first such answer and not asked
/// again by this fetcher: the reason is kept once, in <see cref="Stats"/>, and named as "not asked" in later failures.
/// </para>
/// <para>
/// Several adjacent leaves of one file (<see cref="GetLeavesAsync"/>) are asked in one request when the first source
/// still asked serves ranges (<see cref="IRangeBlockSource"/>, a trustless gateway's CAR with <c>entity-bytes</c>).
/// </para>
/// </summary>
public sealed class BlockFetcher
{
    /// <summary>Fewest adjacent leaves, neither cached nor being fetched, asked for as one range.</summary>
    public const int MinRangeLeaves = 2;

    private readonly IReadOnlyList<IBlockSource> _sources;
    private readonly Dictionary<IBlockSource, SemaphoreSlim> _slots;
    private readonly ConcurrentDictionary<MultihashKey, Task<byte[]>> _inFlight = new();
    private readonly ConcurrentDictionary<string, Counters> _counters = new();
    private readonly ConcurrentDictionary<string, string> _unsupported = new();
    private long _cacheBlocks, _cacheBytes, _identityBlocks;

    // Blocks verified by this fetcher, kept in memory: GDAL reads a file's header and shared COG tiles again for every
    // window, and the disk cache re-hashes what it serves (it cannot trust a file another process may have torn).
    private readonly RecentBlocks _recent = new(64L << 20);

    public BlockFetcher(IEnumerable<IBlockSource> sources, BlockCache? cache = null, IpfsFetchOptions? options = null)
    {
        _sources = [.. sources];
        Cache = cache;
        Options = options ?? new IpfsFetchOptions();
        _slots = _sources.Distinct().ToDictionary(s => s, s => new SemaphoreSlim(s.MaxConcurrency, s.MaxConcurrency));
        foreach (var name in Endpoints()) _counters.TryAdd(name, new Counters());
    }

    public IReadOnlyList<IBlockSource> Sources => _sources;
    public BlockCache? Cache { get; }
    public IpfsFetchOptions Options { get; }

    public BlockFetchStats Stats => new(Interlocked.Read(ref _cacheBlocks), Interlocked.Read(ref _cacheBytes), Interlocked.Read(ref _identityBlocks),
        [.. Endpoints().Select(n => _counters[n].Snapshot(n, _unsupported.GetValueOrDefault(n)))]);

    private IEnumerable<string> Endpoints() =>
        _sources.SelectMany(s => s is IRangeBlockSource r ? new[] { s.Name, r.RangeName } : [s.Name]).Distinct();

    /// <summary>The block's bytes, verified against <paramref name="cid"/> (shared with concurrent callers: read only).</summary>
    /// <exception cref="IpfsFetchException">no source delivered bytes that verify; names the block and every try.</exception>
    public async Task<ReadOnlyMemory<byte>> GetAsync(Cid cid, CancellationToken ct = default) =>
        TryLocal(cid) ?? await FetchSharedAsync(cid, ct).ConfigureAwait(false);

    /// <summary>
    /// The leaves of the UnixFS file <paramref name="file"/>, verified, in the order given: as <see cref="GetAsync"/>
    /// for each, except that when the first source still asked serves ranges, each run of at least
    /// <see cref="MinRangeLeaves"/> adjacent leaves that are neither cached nor being fetched is asked of it in one
    /// request. Every block of that answer is hashed against the leaf's CID before it is used or cached; leaves the
    /// answer lacks (a truncated stream, a missing block) are then fetched block by block from the sources in order,
    /// and a leaf it sent wrong from the other sources.
    /// </summary>
    /// <exception cref="IpfsFetchException">a leaf no source delivered; names it and every try.</exception>
    public async Task<ReadOnlyMemory<byte>[]> GetLeavesAsync(Cid file, IReadOnlyList<FileLeaf> leaves, CancellationToken ct = default)
    {
        var tasks = new Task<byte[]>[leaves.Count];
        var pending = new List<int>();
        for (var i = 0; i < leaves.Count; i++)
        {
            if (TryLocal(leaves[i].Cid) is { } local) tasks[i] = Task.FromResult(local);
            else if (_inFlight.TryGetValue(leaves[i].Cid.Key, out var running)) tasks[i] = running;
            else pending.Add(i);
        }
        var ranges = RangeSource();
        foreach (var run in AdjacentRuns(leaves, pending))
        {
            if (ranges is not null && run.Count >= MinRangeLeaves) StartRange(ranges, file, leaves, run, tasks);
            else foreach (var i in run) tasks[i] = FetchSharedAsync(leaves[i].Cid, CancellationToken.None);
        }
        var datas = await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);
        return [.. datas.Select(d => (ReadOnlyMemory<byte>)d)];
    }

    /// <summary>An identity CID's block, or the cache's verified copy; null when it must be fetched.</summary>
    private byte[]? TryLocal(Cid cid)
    {
        // An identity CID (Kubo --inline) carries its block: no source is asked, nothing can differ.
        if (cid.IsIdentity)
        {
            Interlocked.Increment(ref _identityBlocks);
            return cid.Digest.ToArray();
        }
        var cached = _recent.TryGet(cid.Key);
        if (cached is null && Cache?.TryGet(cid) is { } stored) _recent.Add(cid.Key, cached = stored);
        if (cached is null) return null;
        Interlocked.Increment(ref _cacheBlocks);
        Interlocked.Add(ref _cacheBytes, cached.Length);
        return cached;
    }

    /// <summary>A block that just verified: into the data folder's cache, and kept in memory for this fetcher's next reads.</summary>
    private void Keep(Cid cid, byte[] data)
    {
        Cache?.Put(cid, data);
        _recent.Add(cid.Key, data);
    }

    private Task<byte[]> FetchSharedAsync(Cid cid, CancellationToken ct)
    {
        var key = cid.Key;
        return _inFlight.GetOrAdd(key, _ => FetchAndForgetAsync(cid, key)).WaitAsync(ct);
    }

    private async Task<byte[]> FetchAndForgetAsync(Cid cid, MultihashKey key)
    {
        // Not cancelled by one caller's token: other callers may wait for the same block.
        try { return await FetchFromSourcesAsync(cid, null, [], CancellationToken.None).ConfigureAwait(false); }
        finally { _inFlight.TryRemove(key, out _); }
    }

    /// <summary>The block from the sources in order, skipping <paramref name="skip"/> and those marked unsupported.</summary>
    private async Task<byte[]> FetchFromSourcesAsync(Cid cid, IBlockSource? skip, List<SourceFailure> failures, CancellationToken ct)
    {
        await Task.Yield();
        foreach (var source in _sources)
        {
            if (source == skip) continue;
            if (_unsupported.TryGetValue(source.Name, out var why))
            {
                failures.Add(new SourceFailure(source.Name, 0, SourceFailureKind.Unsupported, $"not asked: unsupported since {why}"));
                continue;
            }
            var counters = _counters[source.Name];
            for (var attempt = 1; attempt <= Options.MaxAttemptsPerSource; attempt++)
            {
                if (attempt > 1) await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                byte[]? data = null;
                Exception? error = null;
                var slot = _slots[source];
                await slot.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    Interlocked.Increment(ref counters.Requests);
                    data = await source.GetBlockAsync(cid, Options, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    error = e;
                }
                finally
                {
                    slot.Release();
                }
                SourceFailureKind kind;
                if (data is not null)
                {
                    if (Verify(cid, data, source.Name, attempt, failures))
                    {
                        counters.Add(data.Length);
                        Keep(cid, data);
                        return data;
                    }
                    Interlocked.Increment(ref counters.Rejected);
                    kind = SourceFailureKind.Invalid;
                    failures.Add(new SourceFailure(source.Name, attempt, kind, $"block {cid}: the {data.Length} bytes received do not hash to its CID"));
                }
                else
                {
                    kind = IpfsFetcher.Classify(error!);
                    Interlocked.Increment(ref counters.Failures);
                    var reason = $"block {cid}: {error!.GetType().Name}: {error.Message}";
                    failures.Add(new SourceFailure(source.Name, attempt, kind, reason));
                    if (kind == SourceFailureKind.Unsupported) MarkUnsupported(source.Name, reason);
                }
                if (kind != SourceFailureKind.Transient) break;
            }
        }
        throw new IpfsFetchException(cid, failures);
    }

    /// <summary>
    /// Asks <paramref name="source"/> for the bytes of the leaves <paramref name="run"/> (adjacent in the file) in one
    /// request, for the leaves no one is fetching yet; the tasks of all of them go to <paramref name="tasks"/>.
    /// </summary>
    private void StartRange(IRangeBlockSource source, Cid file, IReadOnlyList<FileLeaf> leaves, List<int> run, Task<byte[]>[] tasks)
    {
        var wanted = new Dictionary<MultihashKey, Wanted>();
        foreach (var i in run)
        {
            var cid = leaves[i].Cid;
            var key = cid.Key;
            if (!wanted.TryGetValue(key, out var w))
            {
                var done = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                // A leaf that repeats in the file is wanted once; one another caller started meanwhile is theirs.
                if (_inFlight.TryAdd(key, done.Task)) wanted[key] = w = new Wanted(cid, done);
            }
            tasks[i] = w?.Done.Task ?? FetchSharedAsync(cid, CancellationToken.None);
        }
        if (wanted.Count == 0) return;
        var first = leaves[run[0]];
        var last = leaves[run[^1]];
        _ = FetchRangeAsync(source, file, first.Start, last.Start + last.Length - 1, wanted);
    }

    private sealed record Wanted(Cid Cid, TaskCompletionSource<byte[]> Done);

    /// <summary>
    /// One range request; then what it did not deliver verified, block by block. Completes every wanted leaf's task
    /// (never throws: it runs on its own, as a shared fetch that no one caller cancels).
    /// </summary>
    private async Task FetchRangeAsync(IRangeBlockSource source, Cid file, long from, long to, Dictionary<MultihashKey, Wanted> wanted)
    {
        await Task.Yield();
        var name = source.RangeName;
        var counters = _counters[name];
        var range = string.Create(CultureInfo.InvariantCulture, $"bytes {from}..{to} of {file}");
        SourceFailure? requestFailure = null;
        var rejected = new Dictionary<MultihashKey, SourceFailure>();
        try
        {
            // The root and the nodes on the way down come too (small); a server sending much more than the range is
            // not sending what was asked for.
            var allowance = Math.Max(4L << 20, to - from + 1);
            long other = 0;
            var left = wanted.Count;
            var slot = _slots[source];
            await slot.WaitAsync().ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref counters.Requests);
                await foreach (var block in source.GetRangeAsync(file, from, to, Options, CancellationToken.None).ConfigureAwait(false))
                {
                    var key = block.Cid.Key;
                    if (!wanted.TryGetValue(key, out var w) || w.Done.Task.IsCompleted || rejected.ContainsKey(key))
                    {
                        // Not a leaf asked for (the root, the nodes on the way, a duplicate): not hashed, never cached.
                        if ((other += block.Data.Length) > allowance)
                            throw new IpfsSourceException(SourceFailureKind.Invalid, $"sent over {allowance} bytes of blocks that are not leaves of {range}");
                        continue;
                    }
                    // Checked against the CID the parent links to (the section's CID names the same multihash).
                    var data = block.Data.ToArray();
                    var matches = Matches(w.Cid, data);
                    if (matches is null) continue;        // a hash function not computable here: the per-block path says so
                    if (matches == false)
                    {
                        Interlocked.Increment(ref counters.Rejected);
                        rejected[key] = new SourceFailure(name, 1, SourceFailureKind.Invalid,
                            $"block {w.Cid} (in the CAR for {range}): the {data.Length} bytes received do not hash to its CID");
                        continue;
                    }
                    counters.Add(data.Length);
                    Keep(w.Cid, data);
                    Complete(w, data);
                    if (--left == 0) break;
                }
            }
            catch (Exception e)
            {
                // Blocks that arrived whole and verified before this are used; the rest are fetched below.
                var kind = IpfsFetcher.Classify(e);
                Interlocked.Increment(ref counters.Failures);
                var reason = $"{range}: {e.GetType().Name}: {e.Message}";
                requestFailure = new SourceFailure(name, 1, kind, reason);
                if (kind == SourceFailureKind.Unsupported) MarkUnsupported(name, reason);
            }
            finally
            {
                slot.Release();
            }
            // What the answer lacked, block by block from the sources in order; a leaf it sent wrong, from the others.
            await Task.WhenAll(wanted.Values.Where(w => !w.Done.Task.IsCompleted).Select(async w =>
            {
                var prior = new List<SourceFailure>();
                if (requestFailure is not null) prior.Add(requestFailure);
                var wrong = rejected.GetValueOrDefault(w.Cid.Key);
                if (wrong is not null) prior.Add(wrong);
                try
                {
                    Complete(w, await FetchFromSourcesAsync(w.Cid, wrong is null ? null : source, prior, CancellationToken.None).ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    Fail(w, e);
                }
            })).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var w in wanted.Values) Fail(w, e);
        }
    }

    private void Complete(Wanted w, byte[] data)
    {
        w.Done.TrySetResult(data);
        _inFlight.TryRemove(new KeyValuePair<MultihashKey, Task<byte[]>>(w.Cid.Key, w.Done.Task));
    }

    private void Fail(Wanted w, Exception e)
    {
        w.Done.TrySetException(e);
        _inFlight.TryRemove(new KeyValuePair<MultihashKey, Task<byte[]>>(w.Cid.Key, w.Done.Task));
    }

    /// <summary>The source to ask for ranges: the first one still asked, if it serves ranges.</summary>
    private IRangeBlockSource? RangeSource()
    {
        foreach (var s in _sources)
        {
            if (s is IRangeBlockSource r && !_unsupported.ContainsKey(r.RangeName)) return r;
            if (!_unsupported.ContainsKey(s.Name)) return null;
        }
        return null;
    }

    /// <summary>The pending leaves grouped into runs that are adjacent in the file (each run in file order).</summary>
    private static IEnumerable<List<int>> AdjacentRuns(IReadOnlyList<FileLeaf> leaves, List<int> pending)
    {
        List<int>? run = null;
        long end = -1;
        foreach (var i in pending.OrderBy(i => leaves[i].Start))
        {
            if (run is null || leaves[i].Start != end)
            {
                if (run is not null) yield return run;
                run = [];
            }
            run.Add(i);
            end = leaves[i].Start + leaves[i].Length;
        }
        if (run is not null) yield return run;
    }

    /// <summary>The first answer that showed the endpoint is not served is the reason kept; it is not asked again.</summary>
    private void MarkUnsupported(string endpoint, string reason) => _unsupported.TryAdd(endpoint, reason);

    /// <summary>Whether the bytes hash to the CID; a hash function that cannot be computed here fails the block at once (no source can help).</summary>
    private static bool Verify(Cid cid, byte[] data, string source, int attempt, List<SourceFailure> failures)
    {
        try { return cid.Matches(data); }
        catch (NotSupportedException e)
        {
            throw new IpfsFetchException(cid, [.. failures, new SourceFailure(source, attempt, SourceFailureKind.Unsupported, $"block {cid}: {e.Message}")]);
        }
    }

    /// <summary>Whether the bytes hash to the CID; null when its hash function cannot be computed here.</summary>
    private static bool? Matches(Cid cid, byte[] data)
    {
        try { return cid.Matches(data); }
        catch (NotSupportedException) { return null; }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = Options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 2);
        return TimeSpan.FromMilliseconds(Math.Min(ms, Options.RetryMaxDelay.TotalMilliseconds));
    }

    private sealed class Counters
    {
        public long Blocks, Bytes, Rejected, Failures, Requests;

        public void Add(long bytes)
        {
            Interlocked.Increment(ref Blocks);
            Interlocked.Add(ref Bytes, bytes);
        }

        public BlockSourceStats Snapshot(string name, string? unsupported) =>
            new(name, Interlocked.Read(ref Blocks), Interlocked.Read(ref Bytes), Interlocked.Read(ref Rejected), Interlocked.Read(ref Failures),
                Interlocked.Read(ref Requests), unsupported);
    }
}

/// <summary>Verified blocks in memory, bounded in bytes; the oldest added go first. Thread-safe.</summary>
internal sealed class RecentBlocks(long maxBytes)
{
    private readonly ConcurrentDictionary<MultihashKey, byte[]> _blocks = new();
    private readonly ConcurrentQueue<MultihashKey> _order = new();
    private long _bytes;

    public byte[]? TryGet(MultihashKey key) => _blocks.TryGetValue(key, out var data) ? data : null;

    public void Add(MultihashKey key, byte[] data)
    {
        if (data.Length > maxBytes || !_blocks.TryAdd(key, data)) return;
        _order.Enqueue(key);
        if (Interlocked.Add(ref _bytes, data.Length) <= maxBytes) return;
        while (Interlocked.Read(ref _bytes) > maxBytes && _order.TryDequeue(out var oldest))
            if (_blocks.TryRemove(oldest, out var gone)) Interlocked.Add(ref _bytes, -gone.Length);
    }
}
