using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

/// <summary>
/// One place a file can be fetched from by CID. Implementations make a single attempt and write only verified
/// bytes' file to the given path (the fetcher handles retries, failover, temp names and concurrency limits).
/// </summary>
public interface IIpfsSource
{
    /// <summary>Kind and address, e.g. <c>kubo-rpc http://127.0.0.1:5001 (dag/export)</c>: named in every error.</summary>
    string Name { get; }

    /// <summary>How many fetches may run against this source at once.</summary>
    int MaxConcurrency { get; }

    /// <summary>Writes the file named by <paramref name="cid"/> to <paramref name="outputPath"/>, verified; returns its length.
    /// Throws (and may leave partial bytes at outputPath, which the fetcher deletes) when it cannot.</summary>
    Task<long> FetchAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct);

    /// <summary>Whether the source can serve the root block now (Kubo: <c>block/stat</c>), within <paramref name="timeout"/>.</summary>
    Task<SourceCheck> CheckAsync(Cid cid, TimeSpan timeout, CancellationToken ct);
}

/// <summary>What a source needs from the fetcher for one attempt.</summary>
public sealed class SourceFetchContext
{
    public required IpfsFetchOptions Options { get; init; }

    /// <summary>Bytes of the file written so far in this attempt.</summary>
    public Action<long>? OnBytes { get; init; }

    /// <summary>A temp file path the source may use to spill out-of-order CAR blocks (deleted afterwards).</summary>
    public required string SpillPath { get; init; }
}

public sealed record SourceCheck(bool Available, string? Reason)
{
    public static SourceCheck Yes { get; } = new(true, null);
    public static SourceCheck No(string reason) => new(false, reason);
}

public enum SourceFailureKind
{
    /// <summary>The source says it does not have the content (HTTP 404, Kubo "not found"): not retried there.</summary>
    NotFound,

    /// <summary>Timeouts, broken or truncated transfers, 5xx, 429: retried with back-off.</summary>
    Transient,

    /// <summary>Bytes or DAG that do not verify against the CID, or a malformed response: not retried there.</summary>
    Invalid,

    /// <summary>The source cannot serve this request at all (e.g. a gateway that does not speak CAR): not retried.</summary>
    Unsupported,
}

/// <summary>A failure a source reports with its kind; other exceptions are classified by the fetcher.</summary>
public sealed class IpfsSourceException(SourceFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public SourceFailureKind Kind { get; } = kind;
}
