using System.Collections.Concurrent;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>What one source delivered: verified blocks and their bytes, blocks it sent wrong, failed tries.</summary>
public sealed record BlockSourceStats(string Source, long Blocks, long Bytes, long Rejected, long Failures);

/// <summary>A fetcher's counters: blocks from the cache and from identity CIDs, and per source.</summary>
public sealed record BlockFetchStats(long CacheBlocks, long CacheBytes, long IdentityBlocks, IReadOnlyList<BlockSourceStats> Sources)
{
    public long FetchedBytes => Sources.Sum(s => s.Bytes);
    public long FetchedBlocks => Sources.Sum(s => s.Blocks);
}

/// <summary>
/// Gets single blocks by CID, verified: the cache first (re-verified there), then the sources in the configured order.
/// Bytes that do not hash to the CID are never returned nor cached: the block is asked of the next source (a source
/// that sent a wrong block is not asked again for it). Transient failures (timeouts, 5xx, broken transfers) are retried
/// with exponential back-off as <see cref="IpfsFetcher"/> does, at most <see cref="IBlockSource.MaxConcurrency"/>
/// requests per source at once. Concurrent requests for the same block share one fetch.
/// </summary>
public sealed class BlockFetcher
{
    private readonly IReadOnlyList<IBlockSource> _sources;
    private readonly Dictionary<IBlockSource, SemaphoreSlim> _slots;
    private readonly ConcurrentDictionary<MultihashKey, Task<byte[]>> _inFlight = new();
    private readonly ConcurrentDictionary<string, Counters> _counters = new();
    private long _cacheBlocks, _cacheBytes, _identityBlocks;

    public BlockFetcher(IEnumerable<IBlockSource> sources, BlockCache? cache = null, IpfsFetchOptions? options = null)
    {
        _sources = [.. sources];
        Cache = cache;
        Options = options ?? new IpfsFetchOptions();
        _slots = _sources.Distinct().ToDictionary(s => s, s => new SemaphoreSlim(s.MaxConcurrency, s.MaxConcurrency));
        foreach (var s in _sources) _counters.TryAdd(s.Name, new Counters());
    }

    public IReadOnlyList<IBlockSource> Sources => _sources;
    public BlockCache? Cache { get; }
    public IpfsFetchOptions Options { get; }

    public BlockFetchStats Stats => new(Interlocked.Read(ref _cacheBlocks), Interlocked.Read(ref _cacheBytes), Interlocked.Read(ref _identityBlocks),
        [.. _sources.Select(s => s.Name).Distinct().Select(n => _counters[n].Snapshot(n))]);

    /// <summary>The block's bytes, verified against <paramref name="cid"/> (shared with concurrent callers: read only).</summary>
    /// <exception cref="IpfsFetchException">no source delivered bytes that verify; names the block and every try.</exception>
    public async Task<ReadOnlyMemory<byte>> GetAsync(Cid cid, CancellationToken ct = default)
    {
        // An identity CID (Kubo --inline) carries its block: no source is asked, nothing can differ.
        if (cid.IsIdentity)
        {
            Interlocked.Increment(ref _identityBlocks);
            return cid.Digest.ToArray();
        }
        if (Cache?.TryGet(cid) is { } cached)
        {
            Interlocked.Increment(ref _cacheBlocks);
            Interlocked.Add(ref _cacheBytes, cached.Length);
            return cached;
        }
        var key = cid.Key;
        var task = _inFlight.GetOrAdd(key, _ => FetchAndForgetAsync(cid, key));
        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<byte[]> FetchAndForgetAsync(Cid cid, MultihashKey key)
    {
        // Not cancelled by one caller's token: other callers may wait for the same block.
        try { return await FetchFromSourcesAsync(cid, CancellationToken.None).ConfigureAwait(false); }
        finally { _inFlight.TryRemove(key, out _); }
    }

    private async Task<byte[]> FetchFromSourcesAsync(Cid cid, CancellationToken ct)
    {
        await Task.Yield();
        var failures = new List<SourceFailure>();
        foreach (var source in _sources)
        {
            var counters = _counters[source.Name];
            for (var attempt = 1; attempt <= Options.MaxAttemptsPerSource; attempt++)
            {
                if (attempt > 1) await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                var slot = _slots[source];
                await slot.WaitAsync(ct).ConfigureAwait(false);
                SourceFailureKind kind;
                try
                {
                    var data = await source.GetBlockAsync(cid, Options, ct).ConfigureAwait(false);
                    if (Verify(cid, data))
                    {
                        counters.Add(data.Length);
                        Cache?.Put(cid, data);
                        return data;
                    }
                    Interlocked.Increment(ref counters.Rejected);
                    kind = SourceFailureKind.Invalid;
                    failures.Add(new SourceFailure(source.Name, attempt, kind, $"block {cid}: the {data.Length} bytes received do not hash to its CID"));
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    kind = IpfsFetcher.Classify(e);
                    Interlocked.Increment(ref counters.Failures);
                    failures.Add(new SourceFailure(source.Name, attempt, kind, $"block {cid}: {e.GetType().Name}: {e.Message}"));
                }
                finally
                {
                    slot.Release();
                }
                if (kind != SourceFailureKind.Transient) break;
            }
        }
        throw new IpfsFetchException(cid, failures);
    }

    private static bool Verify(Cid cid, byte[] data)
    {
        try { return cid.Matches(data); }
        catch (NotSupportedException e) { throw new IpfsSourceException(SourceFailureKind.Unsupported, e.Message, e); }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = Options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 2);
        return TimeSpan.FromMilliseconds(Math.Min(ms, Options.RetryMaxDelay.TotalMilliseconds));
    }

    private sealed class Counters
    {
        public long Blocks, Bytes, Rejected, Failures;

        public void Add(long bytes)
        {
            Interlocked.Increment(ref Blocks);
            Interlocked.Add(ref Bytes, bytes);
        }

        public BlockSourceStats Snapshot(string name) =>
            new(name, Interlocked.Read(ref Blocks), Interlocked.Read(ref Bytes), Interlocked.Read(ref Rejected), Interlocked.Read(ref Failures));
    }
}
