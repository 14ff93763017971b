using System.Net.Http.Headers;
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

/// <summary>A Kubo node's RPC API (also js-ipfs): <c>POST /api/v0/block/get?arg=CID</c> returns the block's bytes.</summary>
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
        return await BlockHttp.GetAsync(Http, request, null, options, Name, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// A trustless gateway's block endpoint (ipfs/specs trustless-gateway): <c>GET /ipfs/CID?format=raw</c> with
/// <c>Accept: application/vnd.ipld.raw</c>. A gateway answering with another Content-Type is not trusted.
/// </summary>
public sealed class GatewayBlockSource(Uri gatewayBase, int maxConcurrency = 8, HttpClient? http = null)
    : HttpBlockSource(HttpUtil.Normalize(gatewayBase), maxConcurrency, http, gateway => $"trustless-gateway {gateway} (format=raw)")
{
    private const string RawType = "application/vnd.ipld.raw";

    public override async Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Base, $"ipfs/{cid}?format=raw"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(RawType));
        return await BlockHttp.GetAsync(Http, request, RawType, options, Name, ct).ConfigureAwait(false);
    }
}

internal static class BlockHttp
{
    /// <summary>Kubo refuses blocks over 2 MiB on bitswap; a larger body is not a block anyone can verify cheaply.</summary>
    public const int MaxBlockBytes = 4 << 20;

    public static async Task<byte[]> GetAsync(HttpClient http, HttpRequestMessage request, string? contentType, IpfsFetchOptions options,
        string name, CancellationToken ct)
    {
        using var resp = await HttpUtil.SendAsync(http, request, options.ResponseTimeout, ct).ConfigureAwait(false);
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
}
