using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using CropData.Ipfs.Car;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>A block source over HTTP: its base URL, client, concurrency and the name errors and logs give it.</summary>
public abstract class HttpBlockSource : IBlockSource
{
    protected HttpBlockSource(Uri baseUri, int maxConcurrency, HttpClient? http, Func<string, string> name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        Base = baseUri;
        Http = http ?? HttpUtil.DefaultClient;
        MaxConcurrency = maxConcurrency;
        Name = name(baseUri.ToString().TrimEnd('/'));
    }

    protected Uri Base { get; }
    protected HttpClient Http { get; }
    public string Name { get; }
    public int MaxConcurrency { get; }

    public abstract Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct);
}

/// <summary>
/// A Kubo node's RPC API (also js-ipfs): <c>POST /api/v0/block/get?arg=CID</c> returns the block's bytes. Kubo reports a
/// missing block as HTTP 500 "not found" (or its own timeout), so a 404, 405 or 501 means the endpoint itself is
/// missing or refused (a proxy in front, a node without the RPC API): Unsupported.
/// </summary>
public sealed class KuboBlockSource(Uri apiBase, int maxConcurrency = 8, HttpClient? http = null)
    : HttpBlockSource(HttpUtil.Normalize(apiBase, "/api/v0"), maxConcurrency, http, api => $"kubo-rpc {api} (block/get)")
{
    public override async Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct)
    {
        // The node's own timeout stops a network search for a block it does not hold (Kubo would search forever).
        var seconds = Math.Max(1, (int)Math.Ceiling(options.ResponseTimeout.TotalSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Base, $"api/v0/block/get?arg={cid}&timeout={seconds}s"))
        {
            Content = new ByteArrayContent([]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await BlockHttp.GetAsync(Http, request, null, [404, 405, 501], options, Name, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// A trustless gateway (ipfs/specs http-gateways/trustless-gateway). One block: <c>GET /ipfs/CID?format=raw</c> with
/// <c>Accept: application/vnd.ipld.raw</c>. A byte range of a UnixFS file in one response:
/// <c>GET /ipfs/ROOT?format=car&amp;dag-scope=entity&amp;entity-bytes=FROM:TO</c> with
/// <c>Accept: application/vnd.ipld.car; version=1; order=dfs; dups=n</c>, which returns the root, the dag-pb nodes on
/// the way down and the leaves covering the range. A gateway answering either with another Content-Type (a path
/// gateway, js-ipfs: the file's bytes) is not trusted: Unsupported. 404 means the gateway lacks the block (the spec's
/// answer for a missing root); 405 and 501 mean it does not serve the endpoint.
/// </summary>
public sealed class GatewayBlockSource(Uri gatewayBase, int maxConcurrency = 8, HttpClient? http = null)
    : HttpBlockSource(HttpUtil.Normalize(gatewayBase), maxConcurrency, http, gateway => $"trustless-gateway {gateway} (format=raw)"), IRangeBlockSource
{
    private const string RawType = "application/vnd.ipld.raw";
    private const string CarType = "application/vnd.ipld.car";

    public string RangeName => $"trustless-gateway {Base.ToString().TrimEnd('/')} (format=car entity-bytes)";

    public override async Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Base, $"ipfs/{cid}?format=raw"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(RawType));
        return await BlockHttp.GetAsync(Http, request, RawType, [405, 501], options, Name, ct).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<CarBlock> GetRangeAsync(Cid file, long from, long to, IpfsFetchOptions options,
        [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        var query = string.Create(CultureInfo.InvariantCulture, $"ipfs/{file}?format=car&dag-scope=entity&entity-bytes={from}:{to}");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Base, query));
        // The format parameter takes precedence (spec); Accept states the variant. Any order is handled: blocks are
        // matched by CID, not by position.
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse($"{CarType}; version=1; order=dfs; dups=n"));
        using var resp = await HttpUtil.SendAsync(Http, request, options.ResponseTimeout, ct).ConfigureAwait(false);
        BlockHttp.ThrowIfNoEndpoint(resp, [405, 501]);
        await HttpUtil.EnsureSuccessAsync(resp, ct).ConfigureAwait(false);
        var type = resp.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(type, CarType, StringComparison.OrdinalIgnoreCase))
            throw new IpfsSourceException(SourceFailureKind.Unsupported,
                $"answered a CAR request (entity-bytes={from.ToString(CultureInfo.InvariantCulture)}:{to.ToString(CultureInfo.InvariantCulture)} of {file}) " +
                $"with Content-Type '{type}', not {CarType}: it does not serve verifiable CARs");
        var raw = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var body = new StallGuardStream(raw, options.StallTimeout, RangeName);
        await using var car = await CarReader.OpenAsync(body, leaveOpen: true, ct: ct).ConfigureAwait(false);
        while (await car.ReadBlockAsync(ct).ConfigureAwait(false) is { } block) yield return block;
    }
}

internal static class BlockHttp
{
    /// <summary>Kubo refuses blocks over 2 MiB on bitswap; a larger body is not a block anyone can verify cheaply.</summary>
    public const int MaxBlockBytes = 4 << 20;

    /// <summary>
    /// One block's body. <paramref name="noEndpoint"/> lists the statuses that mean the endpoint itself is not served
    /// (as opposed to this block missing or a passing fault): they are reported as Unsupported.
    /// </summary>
    public static async Task<byte[]> GetAsync(HttpClient http, HttpRequestMessage request, string? contentType, int[] noEndpoint,
        IpfsFetchOptions options, string name, CancellationToken ct)
    {
        using var resp = await HttpUtil.SendAsync(http, request, options.ResponseTimeout, ct).ConfigureAwait(false);
        ThrowIfNoEndpoint(resp, noEndpoint);
        await HttpUtil.EnsureSuccessAsync(resp, ct).ConfigureAwait(false);
        var type = resp.Content.Headers.ContentType?.MediaType;
        if (contentType is not null && !string.Equals(type, contentType, StringComparison.OrdinalIgnoreCase))
            throw new IpfsSourceException(SourceFailureKind.Unsupported, $"answered with Content-Type '{type}', not {contentType}");
        if (resp.Content.Headers.ContentLength > MaxBlockBytes)
            throw new IpfsSourceException(SourceFailureKind.Invalid, $"a block of {resp.Content.Headers.ContentLength} bytes is over the {MaxBlockBytes}-byte limit");
        var raw = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var body = new StallGuardStream(raw, options.StallTimeout, name);
        using var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > MaxBlockBytes) throw new IpfsSourceException(SourceFailureKind.Invalid, $"the block body is over the {MaxBlockBytes}-byte limit");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    public static void ThrowIfNoEndpoint(HttpResponseMessage resp, int[] noEndpoint)
    {
        var status = (int)resp.StatusCode;
        if (Array.IndexOf(noEndpoint, status) >= 0)
            throw new IpfsSourceException(SourceFailureKind.Unsupported,
                $"HTTP {status.ToString(CultureInfo.InvariantCulture)} {resp.ReasonPhrase} for {resp.RequestMessage?.RequestUri?.AbsolutePath}: the endpoint is not served");
    }
}
