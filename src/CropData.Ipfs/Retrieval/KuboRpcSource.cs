using System.Net.Http.Headers;
using System.Text.Json;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

public enum KuboRpcMode
{
    /// <summary><c>POST /api/v0/dag/export?arg=CID</c>: a CAR, verified block by block.</summary>
    DagExport,

    /// <summary><c>POST /api/v0/cat?arg=CID</c>: plain bytes, verified by re-import; resumes with <c>offset</c>. A last resort.</summary>
    Cat,
}

/// <summary>
/// A Kubo node's RPC API (also js-ipfs, which speaks it). Every call is a POST: Kubo answers GET with 405.
/// js-ipfs labels the dag/export CAR as application/json, so the Content-Type is not checked here.
/// </summary>
public sealed class KuboRpcSource : IIpfsSource
{
    private readonly HttpClient _http;
    private readonly Uri _api;

    public KuboRpcSource(Uri apiBase, KuboRpcMode mode = KuboRpcMode.DagExport, int maxConcurrency = 4, HttpClient? http = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _api = HttpUtil.Normalize(apiBase, "/api/v0");
        Mode = mode;
        MaxConcurrency = maxConcurrency;
        _http = http ?? HttpUtil.DefaultClient;
        Name = mode == KuboRpcMode.DagExport
            ? $"kubo-rpc {_api.ToString().TrimEnd('/')} (dag/export)"
            : $"kubo-rpc {_api.ToString().TrimEnd('/')} (cat, verified by re-import)";
    }

    public KuboRpcMode Mode { get; }
    public string Name { get; }
    public int MaxConcurrency { get; }
    public Uri ApiBase => _api;

    public async Task<long> FetchAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct)
    {
        if (Mode == KuboRpcMode.Cat)
        {
            return await Verification.DownloadAndReimportAsync(cid, async (offset, c) =>
            {
                var query = offset > 0 ? $"&offset={offset}" : "";
                var response = await PostAsync($"cat?arg={cid}{query}", context.Options.ResponseTimeout, c).ConfigureAwait(false);
                var body = await response.Content.ReadAsStreamAsync(c).ConfigureAwait(false);
                return (new ReadAheadStream(new StallGuardStream(body, context.Options.StallTimeout, Name)), offset);
            }, outputPath, context, Name, ct).ConfigureAwait(false);
        }

        using var resp = await PostAsync($"dag/export?arg={cid}", context.Options.ResponseTimeout, ct).ConfigureAwait(false);
        var raw = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var body = new ReadAheadStream(new StallGuardStream(raw, context.Options.StallTimeout, Name));
        var size = await Verification.ExportCarAsync(cid, body, outputPath, context, ct).ConfigureAwait(false);
        // Kubo reports an error that happens mid-stream in the X-Stream-Error trailer.
        if (resp.TrailingHeaders.TryGetValues("X-Stream-Error", out var errors) && errors.FirstOrDefault(e => e.Length > 0) is { } err)
            throw new IpfsSourceException(SourceFailureKind.Transient, $"dag/export failed mid-stream: {err}");
        return size;
    }

    public async Task<SourceCheck> CheckAsync(Cid cid, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            // The node's own timeout stops its network search; the client's (a little longer) covers a node that hangs.
            var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            using var resp = await PostAsync($"block/stat?arg={cid}&timeout={seconds}s", timeout + TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            using var doc = await JsonDocument.ParseAsync(await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
            // js-ipfs prints the key of a CIDv1 in base58btc; compare multihashes, not strings.
            var key = doc.RootElement.TryGetProperty("Key", out var k) ? k.GetString() : null;
            if (key is null || !Cid.TryParse(key, out var got) || !got!.Key.Equals(cid.Key))
                return SourceCheck.No($"{Name}: block/stat answered for '{key}', not {cid}");
            return SourceCheck.Yes;
        }
        catch (Exception e) when (e is IpfsSourceException or TimeoutException or HttpRequestException or IOException or JsonException && !ct.IsCancellationRequested)
        {
            return SourceCheck.No($"{Name}: {e.Message}");
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_api, "api/v0/" + command)) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await HttpUtil.SendAsync(_http, request, timeout, ct).ConfigureAwait(false);
        try
        {
            await HttpUtil.EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
