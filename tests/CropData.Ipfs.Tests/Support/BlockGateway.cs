using System.Globalization;
using CropData.Ipfs.Car;
using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Tests.Support;

/// <summary>How <see cref="BlockGateway"/> answers <c>?format=car</c> requests.</summary>
public enum CarAnswers
{
    /// <summary>As the trustless-gateway spec says: the CAR of the entity's blocks for <c>entity-bytes</c>.</summary>
    Spec,

    /// <summary>No CARs: 404, as a gateway that serves raw blocks only might (the range path must fall back).</summary>
    NotFound,

    /// <summary>A path gateway's answer (js-ipfs): the file's bytes as application/octet-stream.</summary>
    FileBytes,
}

/// <summary>
/// A trustless gateway (ipfs/specs http-gateways/trustless-gateway) on 127.0.0.1, serving blocks held in memory:
/// <c>GET /ipfs/CID?format=raw</c> (application/vnd.ipld.raw) and
/// <c>GET /ipfs/ROOT?format=car&amp;dag-scope=entity&amp;entity-bytes=FROM:TO</c>, a CARv1 in depth-first order without
/// duplicates holding the root, the dag-pb nodes on the way and the leaves that overlap bytes FROM..TO (inclusive; TO
/// may be <c>*</c>), found through the UnixFS <c>blocksizes</c> of each node. <see cref="Tampered"/> names blocks it
/// sends with altered bytes (a hostile or broken peer), in both answers; <see cref="TruncateCarAfter"/> cuts every CAR
/// in the middle of the section after that many whole ones.
/// </summary>
public sealed class BlockGateway : IAsyncDisposable
{
    public const string CarContentType = "application/vnd.ipld.car; version=1; order=dfs; dups=n";
    private readonly Dictionary<MultihashKey, byte[]> _blocks = [];
    private readonly TestHttpServer _server;

    public BlockGateway(IEnumerable<(Cid Cid, byte[] Data)> blocks)
    {
        foreach (var (cid, data) in blocks) _blocks.TryAdd(cid.Key, data);
        _server = new TestHttpServer(HandleAsync);
    }

    public Uri BaseUri => _server.BaseUri;
    public HashSet<Cid> Tampered { get; } = [];
    public CarAnswers Cars { get; set; } = CarAnswers.Spec;
    public int? TruncateCarAfter { get; set; }

    /// <summary>The file bytes <see cref="CarAnswers.FileBytes"/> answers with.</summary>
    public byte[] FileBytes { get; set; } = [];

    public int Requests => _server.Requests.Count;
    public int RawRequests => _server.Requests.Count(r => r.Target.Contains("format=raw", StringComparison.Ordinal));
    public IReadOnlyList<TestRequest> CarRequests => [.. _server.Requests.Where(r => r.Target.Contains("format=car", StringComparison.Ordinal))];

    private async Task HandleAsync(TestRequest req, Stream s, CancellationToken ct)
    {
        var parts = req.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] != "ipfs" || !Cid.TryParse(parts[1], out var cid) || !_blocks.ContainsKey(cid!.Key))
        {
            await TestHttpServer.WriteFull(s, 404, "Not Found", "block not found"u8.ToArray());
            return;
        }
        if (req.Target.Contains("format=raw", StringComparison.Ordinal))
            await TestHttpServer.WriteFull(s, 200, "OK", Block(cid), ("Content-Type", "application/vnd.ipld.raw"));
        else if (req.Target.Contains("format=car", StringComparison.Ordinal))
            await CarAsync(req, cid, s);
        else
            await TestHttpServer.WriteFull(s, 400, "Bad Request", "a trustless gateway serves format=raw or format=car"u8.ToArray());
    }

    private byte[] Block(Cid cid)
    {
        var data = _blocks[cid.Key];
        if (!Tampered.Contains(cid)) return data;
        data = (byte[])data.Clone();
        data[data.Length / 2] ^= 0x01;
        return data;
    }

    private async Task CarAsync(TestRequest req, Cid root, Stream s)
    {
        switch (Cars)
        {
            case CarAnswers.NotFound:
                await TestHttpServer.WriteFull(s, 404, "Not Found", "no CARs here"u8.ToArray());
                return;
            case CarAnswers.FileBytes:
                await TestHttpServer.WriteFull(s, 200, "OK", FileBytes, ("Content-Type", "application/octet-stream"));
                return;
        }
        var query = req.Target.Split('?') is [_, var q] ? q.Split('&') : [];
        var range = query.FirstOrDefault(p => p.StartsWith("entity-bytes=", StringComparison.Ordinal))?["entity-bytes=".Length..];
        long from = 0, to = long.MaxValue;
        if (range is not null)
        {
            var ends = range.Split(':');
            if (ends.Length != 2 || !long.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out from)
                || ends[1] != "*" && !long.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out to) || to < from)
            {
                await TestHttpServer.WriteFull(s, 400, "Bad Request", "entity-bytes must be FROM:TO or FROM:*"u8.ToArray());
                return;
            }
        }
        var sections = new List<(Cid, byte[])>();
        Walk(root, 0, from, to, sections, []);
        var cut = TruncateCarAfter is { } n && n < sections.Count ? n : (int?)null;
        var car = new MemoryStream();
        var writer = new CarWriter(car, [root]);
        foreach (var (c, d) in sections.Take((cut ?? sections.Count) + (cut is null ? 0 : 1))) writer.WriteBlock(c, d);
        var body = car.ToArray();
        if (cut is { } whole)
        {
            // The length of the first `whole` sections, then half of the next one.
            var shorter = new MemoryStream();
            var w = new CarWriter(shorter, [root]);
            foreach (var (c, d) in sections.Take(whole)) w.WriteBlock(c, d);
            body = body[..(int)(shorter.Length + (body.Length - shorter.Length) / 2)];
        }
        // No Content-Length: the body ends when the connection closes, as a streamed CAR does (a cut one too).
        await TestHttpServer.WriteHead(s, 200, "OK", null, ("Content-Type", CarContentType));
        await s.WriteAsync(body);
    }

    /// <summary>Depth-first: the block, then the children that overlap from..to (file offsets from their blocksizes).</summary>
    private void Walk(Cid cid, long start, long from, long to, List<(Cid, byte[])> into, HashSet<MultihashKey> sent)
    {
        if (cid.IsIdentity) return;                                  // never sent (spec): the parent's link holds it
        if (!_blocks.ContainsKey(cid.Key)) return;
        if (sent.Add(cid.Key)) into.Add((cid, Block(cid)));          // dups=n
        if (cid.Codec != Multicodec.DagPb) return;
        var node = DagPb.Decode(_blocks[cid.Key]);
        var fs = UnixFsData.Decode(node.Data!);
        var offset = start + (fs.Data?.Length ?? 0);
        for (var i = 0; i < node.Links.Count; i++)
        {
            var size = (long)fs.BlockSizes[i];
            if (offset <= to && offset + size > from) Walk(node.Links[i].Hash, offset, from, to, into, sent);
            offset += size;
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
