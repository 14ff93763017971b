namespace CropData.Ipfs.Retrieval;

/// <summary>Timeouts, retries and limits of a fetch. Defaults suit band files of 1-100 MB over a LAN or the internet.</summary>
public sealed record IpfsFetchOptions
{
    /// <summary>Tries per source for transient failures (timeouts, broken transfers, 5xx) before moving to the next source.</summary>
    public int MaxAttemptsPerSource { get; init; } = 3;

    /// <summary>Back-off before retry n is RetryBaseDelay * 2^(n-1), capped at RetryMaxDelay.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for a response's headers (a Kubo node searching the network for a missing block never answers).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for the next body bytes before a transfer counts as stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Optional limit on a whole attempt (null: none, since large files legitimately take long).</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Retrievability check timeout (pipeline spec stage 7: <c>ipfs block stat</c> with a 30 s timeout).</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Range/offset resumes of a broken plain-bytes transfer within one attempt.</summary>
    public int MaxResumes { get; init; } = 5;

    /// <summary>Refuse files larger than this (a hostile source could otherwise fill the disk).</summary>
    public long MaxFileBytes { get; init; } = 16L << 30;
}
