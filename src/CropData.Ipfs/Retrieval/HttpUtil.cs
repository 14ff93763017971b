using System.Net;
using System.Text.Json;

namespace CropData.Ipfs.Retrieval;

internal static class HttpUtil
{
    private static readonly Lazy<HttpClient> Shared = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>A client without its own overall timeout: timeouts are per phase (headers, stalls), set by the fetch options.</summary>
    public static HttpClient DefaultClient => Shared.Value;

    public static Uri Normalize(Uri baseUri, string suffixToStrip = "")
    {
        var s = baseUri.ToString().TrimEnd('/');
        if (suffixToStrip.Length > 0 && s.EndsWith(suffixToStrip, StringComparison.OrdinalIgnoreCase)) s = s[..^suffixToStrip.Length];
        return new Uri(s + "/");
    }

    /// <summary>Sends and waits for headers only, within <paramref name="timeout"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no response from {request.RequestUri} within {timeout.TotalSeconds:0.#} s", e);
        }
    }

    /// <summary>Throws an <see cref="IpfsSourceException"/> for a non-success status, with Kubo's error Message when there is one.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var detail = await ReadErrorAsync(response, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var kind = status switch
        {
            404 or 410 => SourceFailureKind.NotFound,
            408 or 429 or >= 500 => SourceFailureKind.Transient,
            _ => SourceFailureKind.Unsupported,
        };
        // Kubo reports a missing block as HTTP 500 with a "not found" message; retrying will not make it appear.
        if (status == 500 && detail.Contains("not found", StringComparison.OrdinalIgnoreCase)) kind = SourceFailureKind.NotFound;
        throw new IpfsSourceException(kind, $"HTTP {status} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : "")}");
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            var buffer = new byte[4096];
            var n = 0;
            int r;
            while (n < buffer.Length && (r = await stream.ReadAsync(buffer.AsMemory(n), cts.Token).ConfigureAwait(false)) > 0) n += r;
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, n).Trim();
            if (text.StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    if (doc.RootElement.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String) return m.GetString() ?? "";
                }
                catch (JsonException) { }
            }
            return text.Length > 300 ? text[..300] : text;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
        {
            return "";
        }
    }
}

/// <summary>
/// Wraps a response body so that a read waiting longer than the stall timeout fails with a <see cref="TimeoutException"/>
/// (HttpClient's own timeout covers the whole request, which is wrong for long downloads).
/// </summary>
internal sealed class StallGuardStream(Stream inner, TimeSpan stallTimeout, string what) : ForwardReadStream
{
    private CancellationTokenSource _cts = new();

    public long BytesRead { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (!_cts.TryReset()) { _cts.Dispose(); _cts = new CancellationTokenSource(); }
        using var reg = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts);
        _cts.CancelAfter(stallTimeout);
        try
        {
            var n = await inner.ReadAsync(buffer, _cts.Token).ConfigureAwait(false);
            BytesRead += n;
            return n;
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{what}: no data for {stallTimeout.TotalSeconds:0.#} s after {BytesRead} bytes (stalled transfer)", e);
        }
        catch (IOException e)
        {
            throw new IOException($"{what}: transfer broken after {BytesRead} bytes (truncated body): {e.Message}", e);
        }
    }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); _cts.Dispose(); }
        base.Dispose(disposing);
    }
}
