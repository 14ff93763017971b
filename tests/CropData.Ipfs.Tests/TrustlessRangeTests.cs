using System.Net.Http.Headers;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Ranges;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;
using static CropData.Ipfs.Tests.RangeReaderTests;

namespace CropData.Ipfs.Tests;

/// <summary>
/// Ranges of a file in one request from a trustless gateway (<c>?format=car&amp;dag-scope=entity&amp;entity-bytes=</c>,
/// issue 17), with every block still verified, and sources that turn out not to serve an endpoint remembered for the
/// rest of the fetcher's life. The gateway is <see cref="BlockGateway"/> (the spec's CAR answers, built from the blocks
/// the real js-ipfs node exported); the path gateway is the node's own.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class TrustlessRangeTests(IpfsNodeFixture node) : IAsyncLifetime
{
    private const int Chunk = 262_144;
    private readonly string _dir = TestFiles.NewTempDir("trustless-ranges");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    private static Dictionary<string, BlockSourceStats> StatsOf(BlockFetcher f) => f.Stats.Sources.ToDictionary(s => s.Source);

    private static List<Cid> Leaves(List<(Cid Cid, byte[] Data)> blocks) => [.. blocks.Where(b => b.Cid.Codec == Multicodec.Raw).Select(b => b.Cid)];

    [Fact]
    public async Task A_range_across_two_subtrees_of_a_two_level_dag_comes_in_one_car_request()
    {
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "fifty-mb");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks);
        var source = new GatewayBlockSource(gateway.BaseUri);
        var cache = new BlockCache(Path.Combine(_dir, "cache"));
        var fetcher = new BlockFetcher([source], cache, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);

        // Leaves 171..177: the first node links leaves 0..173, the second 174..190.
        Assert.Equal(bytes.AsSpan(45_000_000, 1_500_000).ToArray(), await ReadAsync(f, 45_000_000, 1_500_000));

        var car = Assert.Single(gateway.CarRequests);
        Assert.Contains($"entity-bytes={171 * Chunk}:{178 * Chunk - 1}", car.Target);
        Assert.Contains("dag-scope=entity", car.Target);
        var accept = MediaTypeWithQualityHeaderValue.Parse(car.Header("Accept")!);
        Assert.Equal("application/vnd.ipld.car", accept.MediaType);
        Assert.Contains(accept.Parameters, p => p.Name == "dups" && p.Value == "n");
        Assert.Contains(accept.Parameters, p => p.Name == "version" && p.Value == "1");
        Assert.Equal(3, gateway.RawRequests);                           // the root and the two nodes under it: no leaf
        var stats = StatsOf(fetcher);
        Assert.Equal(7, stats[source.RangeName].Blocks);
        Assert.Equal(1, stats[source.RangeName].Requests);
        Assert.Equal(0, stats[source.RangeName].Rejected);
        Assert.Equal(3, stats[source.Name].Blocks);
        Assert.Equal(7, f.LeavesRead);
        // The leaves from the CAR are cached, so the same bytes read by another fetcher ask the gateway nothing.
        var requests = gateway.Requests;
        var again = await UnixFsRangeFile.OpenAsync(cid, new BlockFetcher([source], cache, Fast));
        Assert.Equal(bytes.AsSpan(45_100_000, 1_300_000).ToArray(), await ReadAsync(again, 45_100_000, 1_300_000));
        Assert.Equal(requests, gateway.Requests);
    }

    [Fact]
    public async Task A_wrong_block_in_the_car_is_rejected_never_cached_and_fetched_from_the_next_source()
    {
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        var leaves = Leaves(blocks);
        await using var gateway = new BlockGateway(blocks);
        var bad = leaves[5];                                            // bytes 1,310,720..1,572,863
        gateway.Tampered.Add(bad);
        var hostile = new GatewayBlockSource(gateway.BaseUri);

        // Alone: the four good leaves of the CAR are used and cached; the wrong one is an error naming it and the CAR.
        var aloneCache = new BlockCache(Path.Combine(_dir, "alone"));
        var alone = new BlockFetcher([hostile], aloneCache, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, alone);
        var buffer = new byte[1_000_000];
        var e = await Assert.ThrowsAsync<IpfsFetchException>(() => f.ReadAsync(1_000_000, buffer));
        Assert.Equal(bad, e.Cid);
        Assert.Contains($"block {bad} (in the CAR for bytes {3 * Chunk}..{8 * Chunk - 1} of {cid})", e.Message);
        Assert.Contains("do not hash to its CID", e.Message);
        Assert.Contains(hostile.RangeName, e.Message);
        Assert.False(File.Exists(aloneCache.PathOf(bad)));
        foreach (var i in new[] { 3, 4, 6, 7 }) Assert.True(File.Exists(aloneCache.PathOf(leaves[i])), $"leaf {i} cached");
        Assert.Equal(1, StatsOf(alone)[hostile.RangeName].Rejected);
        Assert.Equal(1, gateway.RawRequests);                            // the root: the wrong leaf is not asked of it again

        // With the real node after it: the wrong leaf comes from the node, the rest from the one CAR.
        var cache = new BlockCache(Path.Combine(_dir, "cache"));
        var kubo = new KuboBlockSource(node.Api);
        var fetcher = new BlockFetcher([hostile, kubo], cache, Fast);
        var cars = gateway.CarRequests.Count;
        var raws = gateway.RawRequests;
        var g = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(1_000_000, 1_000_000).ToArray(), await ReadAsync(g, 1_000_000, 1_000_000));
        var stats = StatsOf(fetcher);
        Assert.Equal(1, stats[hostile.RangeName].Rejected);
        Assert.Equal(4, stats[hostile.RangeName].Blocks);
        Assert.Equal(1, stats[kubo.Name].Blocks);
        Assert.Equal(cars + 1, gateway.CarRequests.Count);
        Assert.Equal(raws + 1, gateway.RawRequests);                     // the root only
        Assert.Equal(blocks.First(b => b.Cid == bad).Data, File.ReadAllBytes(cache.PathOf(bad)));
    }

    [Fact]
    public async Task A_path_gateway_answering_with_file_bytes_is_marked_unsupported_once_and_not_asked_again()
    {
        var (file, cid, _) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        // The real js-ipfs gateway, counted through a forwarding server: it answers ?format=raw and ?format=car with the file.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var types = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var proxy = new TestHttpServer(async (req, s, ct) =>
        {
            using var resp = await http.GetAsync(new Uri(node.Gateway, req.Target.TrimStart('/')), ct);
            var type = resp.Content.Headers.ContentType?.ToString() ?? "";
            types.Enqueue(type);
            await TestHttpServer.WriteFull(s, (int)resp.StatusCode, resp.ReasonPhrase ?? "", await resp.Content.ReadAsByteArrayAsync(ct), ("Content-Type", type));
        });
        var pathGateway = new GatewayBlockSource(proxy.BaseUri);
        var kubo = new KuboBlockSource(node.Api);
        var fetcher = new BlockFetcher([pathGateway, kubo], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        foreach (var offset in new long[] { 1_000_000, 3_000_000, 200_000, 4_500_000 })
            Assert.Equal(bytes.AsSpan((int)offset, 700_000).ToArray(), await ReadAsync(f, offset, 700_000));

        // One block request (the root) and one CAR request, each answered with the file: never asked again.
        Assert.Equal(2, proxy.Requests.Count);
        Assert.Single(proxy.Requests, r => r.Target.Contains("format=car", StringComparison.Ordinal));
        Assert.All(types, t => Assert.DoesNotContain("vnd.ipld", t));
        var stats = StatsOf(fetcher);
        foreach (var endpoint in new[] { pathGateway.Name, pathGateway.RangeName })
        {
            Assert.Equal(1, stats[endpoint].Requests);
            Assert.Equal(1, stats[endpoint].Failures);
            Assert.Equal(0, stats[endpoint].Blocks);
            Assert.Contains("Content-Type", stats[endpoint].Unsupported);
        }
        Assert.Contains("does not serve verifiable CARs", stats[pathGateway.RangeName].Unsupported);
        Assert.Contains(cid.ToString(), stats[pathGateway.RangeName].Unsupported);
        Assert.True(stats[kubo.Name].Blocks >= 12, $"{stats[kubo.Name].Blocks} blocks from the node");
    }

    [Fact]
    public async Task A_gateway_whose_cars_are_file_bytes_keeps_serving_its_raw_blocks()
    {
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks) { Cars = CarAnswers.FileBytes, FileBytes = bytes };
        var source = new GatewayBlockSource(gateway.BaseUri);
        var fetcher = new BlockFetcher([source], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(0, 1_000_000).ToArray(), await ReadAsync(f, 0, 1_000_000));          // leaves 0..3
        Assert.Equal(bytes.AsSpan(2_000_000, 1_000_000).ToArray(), await ReadAsync(f, 2_000_000, 1_000_000)); // leaves 7..11
        Assert.Single(gateway.CarRequests);
        Assert.Equal(1 + 4 + 5, gateway.RawRequests);
        var stats = StatsOf(fetcher);
        Assert.Contains("application/octet-stream", stats[source.RangeName].Unsupported);
        Assert.Null(stats[source.Name].Unsupported);
        Assert.Equal(10, stats[source.Name].Blocks);
    }

    [Fact]
    public async Task A_truncated_car_keeps_the_blocks_that_arrived_whole_and_fetches_the_rest_by_block()
    {
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        var leaves = Leaves(blocks);
        // Every CAR stops halfway through its fifth section: the root and three leaves arrive whole.
        await using var gateway = new BlockGateway(blocks) { TruncateCarAfter = 4 };
        var source = new GatewayBlockSource(gateway.BaseUri);
        var cache = new BlockCache(Path.Combine(_dir, "cache"));
        var fetcher = new BlockFetcher([source], cache, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(2 * Chunk, 8 * Chunk).ToArray(), await ReadAsync(f, 2 * Chunk, 8 * Chunk));   // leaves 2..9

        var stats = StatsOf(fetcher);
        Assert.Equal(3, stats[source.RangeName].Blocks);                 // leaves 2, 3, 4
        Assert.Equal(1, stats[source.RangeName].Failures);
        Assert.Null(stats[source.RangeName].Unsupported);                // a broken transfer is not a missing endpoint
        Assert.Equal(1 + 5, stats[source.Name].Blocks);                  // the root, then leaves 5..9 one by one
        Assert.Single(gateway.CarRequests);
        Assert.Equal(1 + 5, gateway.RawRequests);
        for (var i = 2; i <= 9; i++) Assert.True(File.Exists(cache.PathOf(leaves[i])), $"leaf {i} cached");

        // The next range is asked as a CAR again.
        Assert.Equal(bytes.AsSpan(12 * Chunk, 3 * Chunk).ToArray(), await ReadAsync(f, 12 * Chunk, 3 * Chunk));
        Assert.Equal(2, gateway.CarRequests.Count);
    }

    public static TheoryData<string, int> NoEndpoint => new()
    {
        { "kubo", 404 }, { "kubo", 405 }, { "kubo", 501 }, { "trustless", 405 }, { "trustless", 501 },
    };

    [Theory]
    [MemberData(nameof(NoEndpoint))]
    public async Task A_source_without_the_endpoint_is_asked_once_per_endpoint_and_named_in_later_failures(string kind, int status)
    {
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var refusing = new TestHttpServer((_, s, _) =>
            TestHttpServer.WriteFull(s, status, "No", "{\"Message\":\"no such endpoint\",\"Code\":0,\"Type\":\"error\"}"u8.ToArray(), ("Content-Type", "application/json")));
        IBlockSource broken = kind == "kubo" ? new KuboBlockSource(refusing.BaseUri) : new GatewayBlockSource(refusing.BaseUri);
        var endpoints = kind == "kubo" ? 1 : 2;                             // a gateway's blocks and its CARs
        await using var gateway = new BlockGateway(blocks);
        var good = new GatewayBlockSource(gateway.BaseUri);
        var fetcher = new BlockFetcher([broken, good], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        foreach (var offset in new long[] { 0, 1_500_000, 3_000_000 })
            Assert.Equal(bytes.AsSpan((int)offset, 800_000).ToArray(), await ReadAsync(f, offset, 800_000));

        Assert.Equal(endpoints, refusing.Requests.Count);
        var stats = StatsOf(fetcher);
        Assert.Contains($"HTTP {status}", stats[broken.Name].Unsupported);
        Assert.Equal(1, stats[broken.Name].Failures);
        // Each read is one CAR from the next source, but for the first read that a refusing gateway's CARs were tried for.
        Assert.Equal(kind == "kubo" ? 3 : 2, gateway.CarRequests.Count);

        // Alone, the first block is tried and fails; later ones are not tried, and the error says why.
        var alone = new BlockFetcher([broken], null, Fast);
        var first = await Assert.ThrowsAsync<IpfsFetchException>(() => alone.GetAsync(cid));
        Assert.Contains("(try 1, Unsupported)", first.Message);
        var before = refusing.Requests.Count;
        var later = await Assert.ThrowsAsync<IpfsFetchException>(() => alone.GetAsync(Leaves(blocks)[3]));
        Assert.Contains($"{broken.Name} (not tried, Unsupported): not asked: unsupported since block {cid}", later.Message);
        Assert.Equal(before, refusing.Requests.Count);
    }

    [Fact]
    public async Task A_gateway_without_a_block_is_not_marked_unsupported()
    {
        // 404 from a trustless gateway is the spec's answer for a block it lacks: the next block is asked of it again.
        var (file, cid, blocks) = await RangeReaderTests.ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        var leaves = Leaves(blocks);
        await using var partial = new BlockGateway(blocks.Where(b => b.Cid != leaves[1]));
        var source = new GatewayBlockSource(partial.BaseUri);
        var kubo = new KuboBlockSource(node.Api);
        var fetcher = new BlockFetcher([source, kubo], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(Chunk + 10, 100).ToArray(), await ReadAsync(f, Chunk + 10, 100));    // leaf 1: 404, from the node
        Assert.Equal(bytes.AsSpan(2 * Chunk + 10, 100).ToArray(), await ReadAsync(f, 2 * Chunk + 10, 100)); // leaf 2: from the gateway
        var stats = StatsOf(fetcher);
        Assert.Null(stats[source.Name].Unsupported);
        Assert.Equal(2, stats[source.Name].Blocks);                       // the root and leaf 2
        Assert.Equal(1, stats[kubo.Name].Blocks);
    }
}
