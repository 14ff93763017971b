using CropData.Stac.Auth;

namespace CropData.Stac.Api;

/// <summary>Behaviour of <see cref="StacApiClient"/>. Defaults follow spec stage 3 (50 concurrent requests, 5 tries).</summary>
public sealed record StacClientOptions
{
    /// <summary>Tries per request, counting the first (429, 5xx, timeouts and connection failures are retried).</summary>
    public int MaxTries { get; init; } = 5;

    /// <summary>Time allowed for one try, response body included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Back-off before try n+1 is BaseBackoff × 2^(n-1), capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A 429's Retry-After is honoured up to this wait.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests in flight at once, over all searches and metadata fetches of this client.</summary>
    public int MaxConcurrency { get; init; } = 50;

    /// <summary>Guard against servers whose next links never end.</summary>
    public int MaxPages { get; init; } = 10_000;

    /// <summary>The search endpoint relative to the API root.</summary>
    public string SearchPath { get; init; } = "search";

    /// <summary>Start searches with GET instead of POST (POST falls back to GET by itself on a 405).</summary>
    public bool UseGet { get; init; }

    public EarthdataCredentials? Credentials { get; init; }

    /// <summary>Hosts that receive the credentials besides the API host and urs.earthdata.nasa.gov.</summary>
    public IReadOnlyCollection<string> AuthHosts { get; init; } = [];

    /// <summary>Progress and retry messages (secrets are redacted before they get here).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>How the client waits between tries; tests record the waits instead of sleeping.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;
}
