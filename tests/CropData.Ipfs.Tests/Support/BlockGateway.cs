using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Tests.Support;

/// <summary>
/// A trustless gateway's block endpoint (<c>GET /ipfs/CID?format=raw</c>) on 127.0.0.1, serving blocks held in memory.
/// <see cref="Tampered"/> names blocks it answers with altered bytes (a hostile or broken peer).
/// </summary>
public sealed class BlockGateway : IAsyncDisposable
{
    private readonly Dictionary<MultihashKey, byte[]> _blocks = [];
    private readonly TestHttpServer _server;

    public BlockGateway(IEnumerable<(Cid Cid, byte[] Data)> blocks)
    {
        foreach (var (cid, data) in blocks) _blocks.TryAdd(cid.Key, data);
        _server = new TestHttpServer(HandleAsync);
    }

    public Uri BaseUri => _server.BaseUri;
    public HashSet<Cid> Tampered { get; } = [];
    public int Requests => _server.Requests.Count;

    private async Task HandleAsync(TestRequest req, Stream s, CancellationToken ct)
    {
        var parts = req.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] != "ipfs" || !req.Target.Contains("format=raw", StringComparison.Ordinal)
            || !Cid.TryParse(parts[1], out var cid) || !_blocks.TryGetValue(cid!.Key, out var data))
        {
            await TestHttpServer.WriteFull(s, 404, "Not Found", "block not found"u8.ToArray());
            return;
        }
        if (Tampered.Contains(cid))
        {
            data = (byte[])data.Clone();
            data[data.Length / 2] ^= 0x01;
        }
        await TestHttpServer.WriteFull(s, 200, "OK", data, ("Content-Type", "application/vnd.ipld.raw"));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
