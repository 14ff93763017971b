using System.Net;
using System.Net.Http.Headers;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

/// <summary>
/// A trustless HTTP gateway (ipfs/specs http-gateways/trustless-gateway): <c>GET /ipfs/CID?format=car</c> with
/// <c>Accept: application/vnd.ipld.car</c>, every block verified. A gateway answering with anything but a CAR
/// (js-ipfs returns the file bytes) is reported as unsupported, not trusted.
/// </summary>
public sealed class TrustlessGatewaySource : IIpfsSource
{
    private readonly HttpClient _http;
    private readonly Uri _base;

    public TrustlessGatewaySource(Uri gatewayBase, int maxConcurrency = 4, HttpClient? http = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _base = HttpUtil.Normalize(gatewayBase);
        MaxConcurrency = maxConcurrency;
        _http = http ?? HttpUtil.DefaultClient;
        Name = $"trustless-gateway {_base.ToString().TrimEnd('/')}";
    }

    public string Name { get; }
    public int MaxConcurrency { get; }

    public Task<long> FetchAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct) =>
        FetchCarAsync(_http, _base, cid, outputPath, context, Name, ct);

    /// <summary><c>GET /ipfs/CID?format=car</c>, every block verified against the DAG of <paramref name="cid"/>.</summary>
    internal static async Task<long> FetchCarAsync(HttpClient http, Uri gateway, Cid cid, string outputPath, SourceFetchContext context,
        string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, $"ipfs/{cid}?format=car&dag-scope=all"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/vnd.ipld.car; version=1; order=dfs; dups=y"));
        using var resp = await HttpUtil.SendAsync(http, request, context.Options.ResponseTimeout, ct).ConfigureAwait(false);
        await HttpUtil.EnsureSuccessAsync(resp, ct).ConfigureAwait(false);
        var type = resp.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(type, "application/vnd.ipld.car", StringComparison.OrdinalIgnoreCase))
            throw new IpfsSourceException(SourceFailureKind.Unsupported, $"answered with Content-Type '{type}', not application/vnd.ipld.car: not a trustless gateway");
        var raw = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var body = new ReadAheadStream(new StallGuardStream(raw, context.Options.StallTimeout, name));
        return await Verification.ExportCarAsync(cid, body, outputPath, context, ct).ConfigureAwait(false);
    }

    public Task<SourceCheck> CheckAsync(Cid cid, TimeSpan timeout, CancellationToken ct) =>
        GatewayCheck.HeadAsync(_http, new Uri(_base, $"ipfs/{cid}?format=raw"), "application/vnd.ipld.raw", timeout, Name, ct);
}

/// <summary>
/// A plain path gateway: <c>GET /ipfs/CID</c> returns the file bytes, which are verified by re-importing them
/// (so only CIDs made with Kubo's or Helia's default settings verify). A broken transfer resumes with <c>Range</c>.
/// </summary>
public sealed class PathGatewaySource : IIpfsSource
{
    private readonly HttpClient _http;
    private readonly Uri _base;

    public PathGatewaySource(Uri gatewayBase, int maxConcurrency = 4, HttpClient? http = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _base = HttpUtil.Normalize(gatewayBase);
        MaxConcurrency = maxConcurrency;
        _http = http ?? HttpUtil.DefaultClient;
        Name = $"path-gateway {_base.ToString().TrimEnd('/')} (verified by re-import)";
    }

    public string Name { get; }
    public int MaxConcurrency { get; }

    /// <summary>
    /// The bytes, verified by re-import. A file added with another layout (chunker, raw leaves, CID version) cannot be
    /// verified that way: its DAG is then asked of the same gateway as a CAR (most gateways also serve
    /// <c>?format=car</c>) and verified block by block; a gateway without CARs leaves a clear error saying so.
    /// </summary>
    public async Task<long> FetchAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct)
    {
        try
        {
            return await FetchBytesAsync(cid, outputPath, context, ct).ConfigureAwait(false);
        }
        catch (Export.CidVerificationException layout) when (layout.LayoutNotReproduced)
        {
            try
            {
                return await TrustlessGatewaySource.FetchCarAsync(_http, _base, cid, outputPath, context, Name, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IpfsSourceException or HttpRequestException or FormatException && !ct.IsCancellationRequested)
            {
                throw new Export.CidVerificationException(cid,
                    $"{layout.Detail}: the file was added with a layout re-import cannot guess, and its DAG is not available here as a CAR " +
                    $"({e.Message}); a path gateway alone cannot verify it: add a trustless gateway, a Kubo RPC API or a CAR source, which verify any layout block by block");
            }
        }
    }

    private Task<long> FetchBytesAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct) =>
        Verification.DownloadAndReimportAsync(cid, async (offset, c) =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, $"ipfs/{cid}"));
            if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
            var resp = await HttpUtil.SendAsync(_http, request, context.Options.ResponseTimeout, c).ConfigureAwait(false);
            try
            {
                await HttpUtil.EnsureSuccessAsync(resp, c).ConfigureAwait(false);
                long start = 0;
                if (resp.StatusCode == HttpStatusCode.PartialContent)
                    start = resp.Content.Headers.ContentRange?.From
                            ?? throw new IpfsSourceException(SourceFailureKind.Invalid, "206 Partial Content without Content-Range");
                var body = await resp.Content.ReadAsStreamAsync(c).ConfigureAwait(false);
                return (new ReadAheadStream(new StallGuardStream(body, context.Options.StallTimeout, Name)), start);
            }
            catch
            {
                resp.Dispose();
                throw;
            }
        }, outputPath, context, Name, ct);

    public Task<SourceCheck> CheckAsync(Cid cid, TimeSpan timeout, CancellationToken ct) =>
        GatewayCheck.HeadAsync(_http, new Uri(_base, $"ipfs/{cid}"), null, timeout, Name, ct);
}

internal static class GatewayCheck
{
    public static async Task<SourceCheck> HeadAsync(HttpClient http, Uri uri, string? accept, TimeSpan timeout, string name, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, uri);
            if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            using var resp = await HttpUtil.SendAsync(http, request, timeout, ct).ConfigureAwait(false);
            return resp.IsSuccessStatusCode ? SourceCheck.Yes : SourceCheck.No($"{name}: HTTP {(int)resp.StatusCode} {resp.ReasonPhrase}");
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            return SourceCheck.No($"{name}: {e.Message}");
        }
    }
}
