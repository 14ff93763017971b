using System.Buffers.Binary;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Ranges;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

/// <summary>
/// Verified byte ranges of UnixFS files (issue 17): the real node's blocks over Kubo RPC <c>block/get</c>, a trustless
/// gateway's <c>?format=raw</c>, CARv2 files, identity CIDs, and the shared block cache.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class RangeReaderTests(IpfsNodeFixture node) : IAsyncLifetime
{
    private readonly string _dir = TestFiles.NewTempDir("ranges");

    /// <summary>Retries and timeouts short enough for tests (also the trustless range tests').</summary>
    internal static readonly IpfsFetchOptions Fast = new()
    {
        MaxAttemptsPerSource = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        ResponseTimeout = TimeSpan.FromSeconds(10),
        StallTimeout = TimeSpan.FromSeconds(5),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    /// <summary>Ranges at the start, across leaf boundaries, in the repeated-chunk part and at the very end.</summary>
    private static (long Offset, int Length)[] Probes(long length) =>
    [
        (0, 16_384), (262_144 - 100, 300), (5_000_000, 700_000), (length - 4_321, 4_321), (length / 2, 1), (160L * 262_144 + 7, 9_000),
    ];

    internal static async Task<byte[]> ReadAsync(UnixFsRangeFile f, long offset, int length)
    {
        var buffer = new byte[length];
        Assert.Equal(length, await f.ReadAsync(offset, buffer));
        return buffer;
    }

    [Fact]
    public async Task Ranges_of_a_two_level_dag_from_the_real_node_equal_the_file_and_fetch_only_their_leaves()
    {
        var file = await node.FileAsync("fifty-mb");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        var fetcher = new BlockFetcher([new KuboBlockSource(node.Api)], new BlockCache(Path.Combine(_dir, "cache")), Fast);
        var f = await UnixFsRangeFile.OpenAsync(Cid.Parse(file.NodeCid), fetcher);
        Assert.Equal(file.Length, f.Length);

        foreach (var (offset, length) in Probes(f.Length))
            Assert.Equal(bytes.AsSpan((int)offset, length).ToArray(), await ReadAsync(f, offset, length));

        // Multi-range: one call, the leaves of every range fetched together.
        var a = new byte[1000];
        var b = new byte[2000];
        await f.ReadRangesAsync([(10_000_000, a), (40_000_000, b)]);
        Assert.Equal(bytes.AsSpan(10_000_000, 1000).ToArray(), a);
        Assert.Equal(bytes.AsSpan(40_000_000, 2000).ToArray(), b);

        var stats = fetcher.Stats;
        Assert.True(stats.FetchedBytes < file.Length / 5, $"fetched {stats.FetchedBytes} bytes of a {file.Length}-byte file");
        Assert.True(f.LeavesRead >= 8, $"{f.LeavesRead} leaves read");
        // Past the end: nothing; a range across the end: the bytes up to it.
        Assert.Equal(0, await f.ReadAsync(f.Length, new byte[10]));
        Assert.Equal(5, await f.ReadAsync(f.Length - 5, new byte[10]));
    }

    [Theory]
    [InlineData("one-byte")]
    [InlineData("one-chunk")]
    [InlineData("one-chunk-plus-1")]
    public async Task Small_files_with_a_raw_root_or_one_level_read_whole(string name)
    {
        var file = await node.FileAsync(name);
        var f = await UnixFsRangeFile.OpenAsync(Cid.Parse(file.NodeCid), new BlockFetcher([new KuboBlockSource(node.Api)], null, Fast));
        Assert.Equal(await File.ReadAllBytesAsync(file.Path), await ReadAsync(f, 0, (int)f.Length));
    }

    [Fact]
    public async Task A_peer_sending_a_wrong_leaf_is_caught_and_the_leaf_comes_from_the_next_source()
    {
        var (file, cid, blocks) = await ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        // Blocks only: this is the per-block path (TrustlessRangeTests has the same through a CAR).
        await using var gateway = new BlockGateway(blocks) { Cars = CarAnswers.NotFound };
        var leaf = blocks.First(b => b.Cid.Codec == Multicodec.Raw).Cid;     // the first leaf: bytes 0..262143
        gateway.Tampered.Add(leaf);
        var hostile = new GatewayBlockSource(gateway.BaseUri);
        var kubo = new KuboBlockSource(node.Api);
        var cache = new BlockCache(Path.Combine(_dir, "cache"));

        // Alone, the hostile peer's wrong leaf is an error naming the block; no byte of it reaches the buffer or the cache.
        var alone = await UnixFsRangeFile.OpenAsync(cid, new BlockFetcher([hostile], cache, Fast));
        var buffer = new byte[1000];
        var e = await Assert.ThrowsAsync<IpfsFetchException>(() => alone.ReadAsync(0, buffer));
        Assert.Equal(leaf, e.Cid);
        Assert.Contains("do not hash to its CID", e.Message);
        Assert.All(buffer, v => Assert.Equal(0, v));
        Assert.False(File.Exists(cache.PathOf(leaf)));

        var fetcher = new BlockFetcher([hostile, kubo], cache, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(0, 300_000).ToArray(), await ReadAsync(f, 0, 300_000));
        var byName = fetcher.Stats.Sources.ToDictionary(s => s.Source);
        Assert.Equal(1, byName[hostile.Name].Rejected);
        Assert.Equal(1, byName[kubo.Name].Blocks);          // only the tampered leaf came from the node
        Assert.True(File.Exists(cache.PathOf(leaf)));
    }

    [Fact]
    public async Task Transient_errors_are_retried_and_a_gateway_that_is_not_trustless_is_passed_over()
    {
        var (file, cid, blocks) = await ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks);
        var tries = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // First answer to every request: 503; the retry is proxied to the real block gateway.
        await using var flaky = new TestHttpServer(async (req, s, ct) =>
        {
            if (tries.AddOrUpdate(req.Target, 1, (_, n) => n + 1) == 1)
            {
                await TestHttpServer.WriteFull(s, 503, "Service Unavailable", "busy"u8.ToArray());
                return;
            }
            using var http = new HttpClient();
            var body = await http.GetByteArrayAsync(new Uri(gateway.BaseUri, req.Target.TrimStart('/')), ct);
            await TestHttpServer.WriteFull(s, 200, "OK", body, ("Content-Type", "application/vnd.ipld.raw"));
        });
        // A path gateway answers ?format=raw with the file's bytes as application/octet-stream: not a block, not trusted.
        await using var plain = new TestHttpServer((_, s, _) => TestHttpServer.WriteFull(s, 200, "OK", bytes[..1000], ("Content-Type", "application/octet-stream")));
        var notTrustless = new GatewayBlockSource(plain.BaseUri);
        var retrying = new GatewayBlockSource(flaky.BaseUri);
        var fetcher = new BlockFetcher([notTrustless, retrying], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(2_000_000, 10_000).ToArray(), await ReadAsync(f, 2_000_000, 10_000));
        var stats = fetcher.Stats.Sources.ToDictionary(x => x.Source);
        Assert.Equal(0, stats[notTrustless.Name].Blocks);
        // The root's answer showed it serves no blocks: marked unsupported once, not asked for the leaf.
        Assert.Equal(1, stats[notTrustless.Name].Failures);
        Assert.Equal(1, stats[notTrustless.Name].Requests);
        Assert.Contains("Content-Type 'application/octet-stream'", stats[notTrustless.Name].Unsupported);
        Assert.Single(plain.Requests);
        Assert.Equal(2, stats[retrying.Name].Blocks);
        Assert.Equal(2, stats[retrying.Name].Failures);                  // one 503 per block, then the retry
        Assert.All(tries.Values, n => Assert.Equal(2, n));
    }

    [Fact]
    public async Task The_cache_serves_a_second_reader_and_drops_a_damaged_or_partial_entry()
    {
        var (file, cid, blocks) = await ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks);
        var cacheDir = Path.Combine(_dir, "cache");
        var first = new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], new BlockCache(cacheDir), Fast);
        var f1 = await UnixFsRangeFile.OpenAsync(cid, first);
        Assert.Equal(bytes.AsSpan(1_000_000, 600_000).ToArray(), await ReadAsync(f1, 1_000_000, 600_000));
        var fetched = gateway.Requests;

        // A killed writer leaves only a temp file (never under a block's name); a torn entry under a block's name
        // (a disk fault) is re-verified on read, deleted and fetched again.
        var cache = new BlockCache(cacheDir);
        var leaf = blocks.Where(b => b.Cid.Codec == Multicodec.Raw).Skip(4).First();   // bytes 1,048,576..1,310,719
        File.WriteAllBytes(cache.PathOf(leaf.Cid), leaf.Data[..1000]);
        var dir = Path.GetDirectoryName(cache.PathOf(leaf.Cid))!;
        var name = Path.GetFileName(cache.PathOf(leaf.Cid));
        var partial = Path.Combine(dir, $".{name}.{DeadPid()}-0badc0de.tmp");            // a writer killed mid-write
        var mine = Path.Combine(dir, $".{name}.{Environment.ProcessId}-00c0ffee.tmp");    // a live writer's, left alone
        File.WriteAllBytes(partial, leaf.Data[..1000]);
        File.WriteAllBytes(mine, leaf.Data[..1000]);

        var second = new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], cache, Fast);
        var f2 = await UnixFsRangeFile.OpenAsync(cid, second);
        Assert.Equal(bytes.AsSpan(1_000_000, 600_000).ToArray(), await ReadAsync(f2, 1_000_000, 600_000));
        Assert.Equal(1, cache.CorruptEntries);
        Assert.Equal(1, second.Stats.FetchedBlocks);           // the torn leaf only
        Assert.Equal(fetched + 1, gateway.Requests);
        Assert.True(second.Stats.CacheBlocks >= 3, $"{second.Stats.CacheBlocks} blocks from the cache");
        Assert.Equal(leaf.Data, File.ReadAllBytes(cache.PathOf(leaf.Cid)));
        Assert.Equal(1, cache.SweepDeadTemps());
        Assert.False(File.Exists(partial));
        Assert.True(File.Exists(mine));
    }

    [Fact]
    public async Task A_fetcher_serves_blocks_it_verified_again_from_memory_without_the_disk_cache_or_a_source()
    {
        var (file, cid, blocks) = await ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks);
        var cache = new BlockCache(Path.Combine(_dir, "memory-cache"));
        var fetcher = new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], cache, Fast);
        var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
        Assert.Equal(bytes.AsSpan(1_000_000, 600_000).ToArray(), await ReadAsync(f, 1_000_000, 600_000));
        var requests = gateway.Requests;

        // GDAL reads a COG's header and shared tiles again for every window: the second read of the same leaves costs
        // neither a request nor a re-hash from disk (the disk copies are gone, and would be refetched if asked for).
        var onDisk = blocks.Where(b => b.Cid.Codec == Multicodec.Raw).Select(b => cache.PathOf(b.Cid)).Where(File.Exists).ToList();
        Assert.True(onDisk.Count >= 3, $"{onDisk.Count} leaves cached");
        onDisk.ForEach(File.Delete);
        var again = await UnixFsRangeFile.OpenAsync(cid, fetcher);   // its own few recent leaves are empty
        Assert.Equal(bytes.AsSpan(1_000_000, 600_000).ToArray(), await ReadAsync(again, 1_000_000, 600_000));
        Assert.Equal(requests, gateway.Requests);
        Assert.Equal(0, cache.CorruptEntries);

        // Another fetcher (another build) has no such memory: it asks its sources for what the disk no longer holds.
        var other = new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], cache, Fast);
        var g = await UnixFsRangeFile.OpenAsync(cid, other);
        Assert.Equal(bytes.AsSpan(1_000_000, 600_000).ToArray(), await ReadAsync(g, 1_000_000, 600_000));
        Assert.True(gateway.Requests > requests);
    }

    /// <summary>The pid of a process that has exited.</summary>
    private static int DeadPid()
    {
        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public async Task Two_readers_sharing_a_small_bounded_cache_at_once_both_read_right()
    {
        var (file, cid, blocks) = await ExportedAsync(node, "several-mib");
        var bytes = await File.ReadAllBytesAsync(file.Path);
        await using var gateway = new BlockGateway(blocks);
        var cacheDir = Path.Combine(_dir, "shared");
        const long bound = 1_000_000;   // about 4 leaves: the readers evict each other's blocks while reading

        async Task ReaderAsync(int seed)
        {
            // Each reader is its own fetcher and cache instance, as two builds on one data folder are.
            var fetcher = new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], new BlockCache(cacheDir, bound), Fast);
            var f = await UnixFsRangeFile.OpenAsync(cid, fetcher);
            var rng = new Random(seed);
            for (var i = 0; i < 40; i++)
            {
                var offset = rng.NextInt64(0, f.Length - 70_000);
                Assert.Equal(bytes.AsSpan((int)offset, 70_000).ToArray(), await ReadAsync(f, offset, 70_000));
            }
        }

        await Task.WhenAll(Task.Run(() => ReaderAsync(1)), Task.Run(() => ReaderAsync(2)));
        var cache = new BlockCache(cacheDir, bound);
        // Each instance evicts to 90 % of the bound once its own count passes it, so the disk can exceed the bound by
        // what each added since (under 10 % of the bound plus a leaf each); unbounded, the 40 reads would keep ~5 MB.
        Assert.True(cache.SizeOnDisk() <= bound + 2 * (bound / 10 + 262_144), $"cache holds {cache.SizeOnDisk()} bytes, bound {bound}");
        Assert.Empty(Directory.EnumerateFiles(cacheDir, ".*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_carv2_file_serves_ranges()
    {
        var (file, cid, _) = await ExportedAsync(node, "several-mib");
        var car = await node.DagExportAsync(file.NodeCid);
        var path = Path.Combine(_dir, "band.car");
        File.WriteAllBytes(path, WrapCarV2(car));
        using var source = new CarBlockSource(path);
        var f = await UnixFsRangeFile.OpenAsync(cid, new BlockFetcher([source], null, Fast));
        var bytes = await File.ReadAllBytesAsync(file.Path);
        Assert.Equal(bytes.AsSpan(3_000_000, 500_000).ToArray(), await ReadAsync(f, 3_000_000, 500_000));
        Assert.Equal(bytes.AsSpan((int)f.Length - 10, 10).ToArray(), await ReadAsync(f, f.Length - 10, 10));
    }

    [Fact]
    public async Task Identity_cids_and_inline_data_are_served_from_the_dag_itself()
    {
        // A whole file in an identity CID (gateway-conformance's "hello\n"): no source at all.
        var hello = await UnixFsRangeFile.OpenAsync(Cid.Parse("bafkqabtimvwgy3yk"), new BlockFetcher([], null, Fast));
        Assert.Equal("hello\n"u8.ToArray(), await ReadAsync(hello, 0, 6));

        // A dag-pb root with inline data, an identity leaf and a normal leaf, in a CARv2 that lacks the identity block.
        var inline = "head:"u8.ToArray();
        var tiny = "tiny-identity-leaf"u8.ToArray();
        var mh = new byte[2 + tiny.Length];
        mh[0] = 0x00; mh[1] = (byte)tiny.Length;
        tiny.CopyTo(mh, 2);
        var identityLeaf = Cid.FromBytes([0x01, 0x55, .. mh]);
        var big = TestFiles.Bytes(100_000, 77);
        var bigLeaf = Cid.Compute(big, Multicodec.Raw);
        var fs = new UnixFsData(UnixFsType.File, inline, (ulong)(inline.Length + tiny.Length + big.Length), [(ulong)tiny.Length, (ulong)big.Length]);
        var rootBlock = DagPb.Encode(new PbNode([new PbLink(identityLeaf, "", (ulong)tiny.Length), new PbLink(bigLeaf, "", (ulong)big.Length)], fs.Encode()));
        var root = Cid.Compute(rootBlock, Multicodec.DagPb);
        var path = Path.Combine(_dir, "inline.car");
        File.WriteAllBytes(path, WrapCarV2(CarTools.Write([root], [(root, rootBlock), (bigLeaf, big)])));
        using var source = new CarBlockSource(path);
        var fetcher = new BlockFetcher([source], null, Fast);
        var f = await UnixFsRangeFile.OpenAsync(root, fetcher);
        byte[] expected = [.. inline, .. tiny, .. big];
        Assert.Equal(expected.Length, f.Length);
        Assert.Equal(expected[..40], await ReadAsync(f, 0, 40));
        Assert.Equal(expected, await ReadAsync(f, 0, expected.Length));
        Assert.True(fetcher.Stats.IdentityBlocks >= 1);
    }

    [Fact]
    public async Task A_node_whose_blocksizes_lie_is_rejected_naming_the_file()
    {
        var big = TestFiles.Bytes(1000, 5);
        var leaf = Cid.Compute(big, Multicodec.Raw);
        var fs = new UnixFsData(UnixFsType.File, null, 2000, [2000]);   // declares 2000 bytes for a 1000-byte leaf
        var rootBlock = DagPb.Encode(new PbNode([new PbLink(leaf, "", 1000)], fs.Encode()));
        var root = Cid.Compute(rootBlock, Multicodec.DagPb);
        await using var gateway = new BlockGateway([(root, rootBlock), (leaf, big)]);
        var f = await UnixFsRangeFile.OpenAsync(root, new BlockFetcher([new GatewayBlockSource(gateway.BaseUri)], null, Fast));
        var buffer = new byte[10];
        var e = await Assert.ThrowsAsync<CropData.Ipfs.Export.CidVerificationException>(() => f.ReadAsync(0, buffer));
        Assert.Contains(root.ToString(), e.Message);
        Assert.Contains("declares 2000", e.Message);
    }

    internal static async Task<(TestFile File, Cid Cid, List<(Cid Cid, byte[] Data)> Blocks)> ExportedAsync(IpfsNodeFixture node, string name)
    {
        var file = await node.FileAsync(name);
        var (_, blocks) = await CarTools.ReadAllAsync(await node.DagExportAsync(file.NodeCid));
        return (file, Cid.Parse(file.NodeCid), blocks);
    }

    /// <summary>CARv2: pragma, 40-byte header (characteristics, data offset, data size, index offset), the CARv1 payload, no index.</summary>
    private static byte[] WrapCarV2(byte[] v1)
    {
        var car = new MemoryStream();
        car.Write(Convert.FromHexString("0aa16776657273696f6e02"));
        var header = new byte[40];
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), 51);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), (ulong)v1.Length);
        car.Write(header);
        car.Write(v1);
        return car.ToArray();
    }
}
