using System.Globalization;
using CropData.Ipfs.Export;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

/// <summary>One failed try at one source (<see cref="Attempt"/> 0: a source not asked, for the reason given).</summary>
public sealed record SourceFailure(string Source, int Attempt, SourceFailureKind Kind, string Reason)
{
    public override string ToString() =>
        $"{Source} ({(Attempt > 0 ? "try " + Attempt.ToString(CultureInfo.InvariantCulture) : "not tried")}, {Kind}): {Reason}";
}

/// <summary>A verified file at <see cref="Path"/>, fetched from <see cref="Source"/> after the failures listed.</summary>
public sealed record FetchResult(Cid Cid, string Path, long Bytes, string Source, IReadOnlyList<SourceFailure> Failures);

/// <summary>Progress of one file: bytes written (and verified, for CAR sources) so far by the current try.</summary>
public readonly record struct FetchProgress(Cid Cid, string Source, long Bytes);

/// <summary>Progress of a batch: files finished or failed out of the total, bytes of the finished files.</summary>
public readonly record struct BatchProgress(int FilesTotal, int FilesDone, int FilesFailed, long BytesDone);

public sealed record FetchRequest(Cid Cid, string DestinationPath);

public sealed record FetchOutcome(FetchRequest Request, FetchResult? Result, IpfsFetchException? Error)
{
    public bool Succeeded => Result is not null;
}

/// <summary>The result of a retrievability check (pipeline spec stage 7, <c>missing_cids.json</c>).</summary>
public sealed record CidCheckResult(Cid Cid, bool Retrievable, string? Source, IReadOnlyList<string> Reasons);

/// <summary>Thrown when no source delivered a verified file; names the CID and every source tried with why it failed.</summary>
public sealed class IpfsFetchException(Cid cid, IReadOnlyList<SourceFailure> failures)
    : Exception($"could not retrieve {cid}: " + (failures.Count == 0 ? "no sources configured" : string.Join("; ", failures)))
{
    public Cid Cid { get; } = cid;
    public IReadOnlyList<SourceFailure> Failures { get; } = failures;
}

/// <summary>
/// Fetches files by CID from sources tried in the configured order. Each source gets a few tries for transient
/// failures (exponential back-off), at most <see cref="IIpfsSource.MaxConcurrency"/> fetches at a time. Bytes go
/// to a temp name beside the destination and are moved to the destination only once verified, so nothing
/// unverified is ever at the destination.
/// </summary>
public sealed class IpfsFetcher
{
    private readonly IReadOnlyList<IIpfsSource> _sources;
    private readonly Dictionary<IIpfsSource, SemaphoreSlim> _slots;

    public IpfsFetcher(IEnumerable<IIpfsSource> sources, IpfsFetchOptions? options = null)
    {
        _sources = [.. sources];
        Options = options ?? new IpfsFetchOptions();
        _slots = _sources.Distinct().ToDictionary(s => s, s => new SemaphoreSlim(s.MaxConcurrency, s.MaxConcurrency));
    }

    public IReadOnlyList<IIpfsSource> Sources => _sources;
    public IpfsFetchOptions Options { get; }

    /// <summary>Fetches <paramref name="cid"/>, verified, to <paramref name="destinationPath"/> (overwritten; the caller renames it into place).</summary>
    /// <exception cref="IpfsFetchException">no source delivered bytes that verify.</exception>
    public async Task<FetchResult> FetchAsync(Cid cid, string destinationPath, IProgress<FetchProgress>? progress = null, CancellationToken ct = default)
    {
        var dest = Path.GetFullPath(destinationPath);
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        var temp = $"{dest}.{Guid.NewGuid():N}.unverified";
        var failures = new List<SourceFailure>();
        try
        {
            if (cid.IsIdentity)
            {
                // The file is inside its CID: no source to ask (a conformant gateway never sends identity blocks).
                long size = await UnixFsExporter.ExportAsync(cid, NoBlocks.Instance, temp, null, Options.MaxFileBytes, ct).ConfigureAwait(false);
                File.Move(temp, dest, overwrite: true);
                return new FetchResult(cid, dest, size, "identity CID", failures);
            }
            foreach (var source in _sources)
            {
                for (var attempt = 1; attempt <= Options.MaxAttemptsPerSource; attempt++)
                {
                    if (attempt > 1) await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                    var slot = _slots[source];
                    await slot.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        if (Options.AttemptTimeout is { } limit) attemptCts.CancelAfter(limit);
                        var context = new SourceFetchContext
                        {
                            Options = Options,
                            SpillPath = temp + ".spill",
                            OnBytes = progress is null ? null : b => progress.Report(new FetchProgress(cid, source.Name, b)),
                        };
                        long bytes;
                        try
                        {
                            bytes = await source.FetchAsync(cid, temp, context, attemptCts.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                        {
                            throw new TimeoutException($"the try took longer than {Options.AttemptTimeout?.TotalSeconds:0.#} s", e);
                        }
                        File.Move(temp, dest, overwrite: true);
                        return new FetchResult(cid, dest, bytes, source.Name, failures);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        var kind = Classify(e);
                        failures.Add(new SourceFailure(source.Name, attempt, kind, Describe(e)));
                        TryDelete(temp);
                        if (kind != SourceFailureKind.Transient) break;
                    }
                    finally
                    {
                        slot.Release();
                    }
                }
            }
            throw new IpfsFetchException(cid, failures);
        }
        finally
        {
            TryDelete(temp);
            TryDelete(temp + ".spill");
        }
    }

    /// <summary>
    /// Fetches many files, <paramref name="maxParallel"/> at a time (each source's own limit still applies).
    /// Never throws for a single file: each outcome holds its result or its <see cref="IpfsFetchException"/>.
    /// <paramref name="progress"/> reports files, <paramref name="fileProgress"/> the bytes of each file in flight.
    /// </summary>
    public async Task<IReadOnlyList<FetchOutcome>> FetchAllAsync(IReadOnlyList<FetchRequest> requests, int maxParallel = 4,
        IProgress<BatchProgress>? progress = null, CancellationToken ct = default, IProgress<FetchProgress>? fileProgress = null)
    {
        var outcomes = new FetchOutcome[requests.Count];
        int done = 0, failed = 0;
        long bytes = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallel), CancellationToken = ct },
            async (i, c) =>
            {
                try
                {
                    var r = await FetchAsync(requests[i].Cid, requests[i].DestinationPath, fileProgress, c).ConfigureAwait(false);
                    outcomes[i] = new FetchOutcome(requests[i], r, null);
                    Interlocked.Add(ref bytes, r.Bytes);
                    Interlocked.Increment(ref done);
                }
                catch (IpfsFetchException e)
                {
                    outcomes[i] = new FetchOutcome(requests[i], null, e);
                    Interlocked.Increment(ref failed);
                }
                progress?.Report(new BatchProgress(requests.Count, Volatile.Read(ref done), Volatile.Read(ref failed), Interlocked.Read(ref bytes)));
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Asks each source in order whether it can serve the CID's root block (spec stage 7's <c>block stat</c>).</summary>
    public async Task<CidCheckResult> CheckAsync(Cid cid, CancellationToken ct = default)
    {
        var reasons = new List<string>();
        if (cid.IsIdentity) return new CidCheckResult(cid, true, "identity CID", reasons);
        foreach (var source in _sources)
        {
            var slot = _slots[source];
            await slot.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var r = await source.CheckAsync(cid, Options.CheckTimeout, ct).ConfigureAwait(false);
                if (r.Available) return new CidCheckResult(cid, true, source.Name, reasons);
                reasons.Add(r.Reason ?? source.Name);
            }
            finally
            {
                slot.Release();
            }
        }
        return new CidCheckResult(cid, false, null, reasons);
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = Options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 2);
        return TimeSpan.FromMilliseconds(Math.Min(ms, Options.RetryMaxDelay.TotalMilliseconds));
    }

    internal static SourceFailureKind Classify(Exception e) => e switch
    {
        IpfsSourceException s => s.Kind,
        CidVerificationException => SourceFailureKind.Invalid,
        FormatException => SourceFailureKind.Invalid,
        TimeoutException or IOException or HttpRequestException => SourceFailureKind.Transient,
        _ => SourceFailureKind.Invalid,
    };

    private static string Describe(Exception e)
    {
        var msg = e.Message;
        if (e is HttpRequestException && e.InnerException is { } inner && !msg.Contains(inner.Message, StringComparison.Ordinal)) msg += " (" + inner.Message + ")";
        return $"{e.GetType().Name}: {msg}";
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A block provider with no blocks: what an identity CID's DAG is exported from.</summary>
internal sealed class NoBlocks : IBlockProvider
{
    public static readonly NoBlocks Instance = new();
    public ValueTask<ReadOnlyMemory<byte>?> GetBlockAsync(Cid cid, CancellationToken ct) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
}
