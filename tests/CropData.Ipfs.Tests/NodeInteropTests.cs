using System.Text.Json;
using CropData.Ipfs.Car;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

/// <summary>Against a real js-ipfs node: our CIDs equal the node's, and every source kind downloads and verifies its files.</summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class NodeInteropTests(IpfsNodeFixture node) : IAsyncLifetime
{
    private readonly string _dir = TestFiles.NewTempDir("interop");
    private TestHttpServer? _trustless;
    private string? _carDir;

    public static TheoryData<string> Names => [.. IpfsNodeFixture.Payloads.Keys];

    public static TheoryData<string, string> NamesAndSources()
    {
        var d = new TheoryData<string, string>();
        foreach (var n in IpfsNodeFixture.Payloads.Keys)
            foreach (var s in new[] { "kubo", "kubo-cat", "gateway", "trustless-gateway", "car" })
                d.Add(n, s);
        return d;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_trustless is not null) await _trustless.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Importer_gives_the_cid_the_node_gives(string name)
    {
        var f = await node.FileAsync(name);
        Assert.Equal(f.NodeCid, CidCalculator.ForFile(f.Path));
        Assert.Equal(f.NodeCid, (await CidCalculator.ComputeFileAsync(f.Path)).Root.ToString());
        await using var s = File.OpenRead(f.Path);
        Assert.Equal(f.NodeCid, CidCalculator.ForStream(s));
        // Up to one chunk a file is a raw block; above, a dag-pb root.
        Assert.StartsWith(f.Length <= 262_144 ? "bafkrei" : "bafybei", f.NodeCid);
    }

    [Fact]
    public async Task Fifty_mb_file_is_a_two_level_dag()
    {
        var f = await node.FileAsync("fifty-mb");
        var car = await node.DagExportAsync(f.NodeCid);
        var (_, blocks) = await CarTools.ReadAllAsync(car);
        var root = CropData.Ipfs.Dag.DagPb.Decode(blocks[0].Data);
        Assert.Equal(Cid.Parse(f.NodeCid), blocks[0].Cid);
        Assert.Equal(2, root.Links.Count);                       // 191 chunks = 174 + 17
        Assert.All(root.Links, l => Assert.Equal(Multicodec.DagPb, l.Hash.Codec));
    }

    [Fact]
    public async Task Cidv0_profile_matches_the_node()
    {
        var f = await node.FileAsync("several-mib");
        var v0 = await node.AddAsync(f.Path, "cid-version=0");
        Assert.Equal(v0, CidCalculator.ComputeFile(f.Path, ImporterOptions.KuboV0).Root.ToString());
        Assert.StartsWith("Qm", v0);
    }

    [Fact]
    public async Task Helia_profile_matches_the_node_with_1_mib_chunks()
    {
        // js-ipfs has no HTTP option for links per node; below 174 chunks Helia's 1024 cannot make a difference.
        var f = await node.FileAsync("several-mib");
        var cid = await node.AddAsync(f.Path, "cid-version=1&raw-leaves=true&cid-base=base32&chunker=size-1048576");
        Assert.Equal(cid, CidCalculator.ComputeFile(f.Path, ImporterOptions.Helia).Root.ToString());
        Assert.NotEqual(f.NodeCid, cid);   // the chunk size really changes the CID
    }

    [Fact]
    public async Task Plain_bytes_of_a_file_chunked_at_1_mib_verify_through_the_fallback_profile()
    {
        var f = await node.FileAsync("several-mib");
        var helia = Cid.Parse(await node.AddAsync(f.Path, "cid-version=1&raw-leaves=true&cid-base=base32&chunker=size-1048576"));
        var dest = Path.Combine(_dir, "helia.part");
        var r = await new IpfsFetcher([new PathGatewaySource(node.Gateway)]).FetchAsync(helia, dest);
        Assert.Equal(f.Sha256, TestFiles.Sha256(dest));
        Assert.Empty(r.Failures);
    }

    [Fact]
    public async Task The_node_exports_depth_first_with_each_block_once()
    {
        // Why streaming verification needs no spill for Kubo-style sources, and why repeated chunks must be copied.
        var f = await node.FileAsync("fifty-mb");
        var car = await node.DagExportAsync(f.NodeCid);
        var (roots, blocks) = await CarTools.ReadAllAsync(car);
        Assert.Equal([Cid.Parse(f.NodeCid)], roots);
        Assert.Equal(blocks.Count, blocks.Select(b => Convert.ToHexString(b.Cid.Bytes)).Distinct().Count());
        Assert.Equal(1 + 2 + 150 + 1, blocks.Count);             // root, 2 parents, 150 distinct full chunks, 1 partial chunk
        var (size, spilled) = await CarTools.ExportAsync(car, Cid.Parse(f.NodeCid), Path.Combine(_dir, "x"));
        Assert.Equal(f.Length, size);
        Assert.Equal(0, spilled);
        Assert.Equal(f.Sha256, TestFiles.Sha256(Path.Combine(_dir, "x")));
    }

    [Theory]
    [MemberData(nameof(NamesAndSources))]
    public async Task Every_source_kind_downloads_a_verified_file(string name, string kind)
    {
        var f = await node.FileAsync(name);
        var source = await SourceAsync(kind);
        var fetcher = new IpfsFetcher([source]);
        var progress = new SyncProgress<FetchProgress>();
        var dest = Path.Combine(_dir, $"{name}.{kind}.tif.part");

        var result = await fetcher.FetchAsync(Cid.Parse(f.NodeCid), dest, progress);

        Assert.Equal(source.Name, result.Source);
        Assert.Empty(result.Failures);
        Assert.Equal(f.Length, result.Bytes);
        Assert.Equal(f.Sha256, TestFiles.Sha256(dest));
        if (f.Length > 0) Assert.Equal(f.Length, progress.Items[^1].Bytes);
        Assert.Equal([Path.GetFileName(dest)], Directory.GetFiles(_dir).Select(Path.GetFileName).Where(p => p!.StartsWith(name + "." + kind, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_packed_car_is_accepted_by_the_node_with_the_same_roots()
    {
        var files = new[] { await node.FileAsync("one-byte"), await node.FileAsync("several-mib"), await node.FileAsync("one-chunk-plus-1") };
        var carPath = Path.Combine(_dir, "sample.car");
        var roots = CarPacker.PackToFile(files.Select(f => f.Path).ToList(), carPath);
        Assert.Equal(files.Select(f => f.NodeCid), roots.Select(r => r.ToString()));

        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(File.ReadAllBytes(carPath));
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.ipld.car");   // js-ipfs rejects a part without one
        form.Add(part, "file", "sample.car");
        using var resp = await node.Http.PostAsync(new Uri(node.Api, "/api/v0/dag/import?pin-roots=true"), form);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, text);
        var imported = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("Root", out _))
            .Select(e => Cid.Parse(e.GetProperty("Root").GetProperty("Cid").GetProperty("/").GetString()!))
            .ToHashSet();
        Assert.Equal(roots.ToHashSet(), imported);
    }

    [Fact]
    public async Task Retrievability_check_uses_block_stat()
    {
        var f = await node.FileAsync("several-mib");
        var kubo = new KuboRpcSource(node.Api);
        var fetcher = new IpfsFetcher([kubo], new IpfsFetchOptions { CheckTimeout = TimeSpan.FromSeconds(2) });
        var ok = await fetcher.CheckAsync(Cid.Parse(f.NodeCid));
        Assert.True(ok.Retrievable);
        Assert.Equal(kubo.Name, ok.Source);

        var unknown = Cid.Compute(TestFiles.Bytes(64, 4242), Multicodec.Raw);
        var missing = await fetcher.CheckAsync(unknown);
        Assert.False(missing.Retrievable);
        Assert.Contains(missing.Reasons, r => r.Contains(kubo.Name, StringComparison.Ordinal));
    }

    private async Task<IIpfsSource> SourceAsync(string kind) => kind switch
    {
        "kubo" => new KuboRpcSource(node.Api),
        "kubo-cat" => new KuboRpcSource(node.Api, KuboRpcMode.Cat),
        "gateway" => new PathGatewaySource(node.Gateway),
        "trustless-gateway" => new TrustlessGatewaySource((await TrustlessAsync()).BaseUri),
        "car" => new LocalCarSource(await CarDirAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>js-ipfs cannot answer ?format=car, so a local server serves the CARs the node exported, over a real socket.</summary>
    private async Task<TestHttpServer> TrustlessAsync()
    {
        if (_trustless is not null) return _trustless;
        var cars = new Dictionary<string, byte[]>();
        foreach (var n in IpfsNodeFixture.Payloads.Keys)
        {
            var f = await node.FileAsync(n);
            cars[$"/ipfs/{f.NodeCid}"] = await node.DagExportAsync(f.NodeCid);
        }
        _trustless = new TestHttpServer(async (req, s, ct) =>
        {
            if (cars.TryGetValue(req.Path, out var car) && req.Target.Contains("format=car", StringComparison.Ordinal)
                && (req.Header("accept") ?? "").StartsWith("application/vnd.ipld.car", StringComparison.Ordinal))
                await TestHttpServer.WriteFull(s, 200, "OK", car, ("Content-Type", "application/vnd.ipld.car; version=1; order=dfs; dups=n"));
            else
                await TestHttpServer.WriteFull(s, 404, "Not Found", "no such CID"u8.ToArray());
        });
        return _trustless;
    }

    /// <summary>A mirror directory holding one node-exported CAR per file, in subfolders, plus one packed CAR.</summary>
    private async Task<string> CarDirAsync()
    {
        if (_carDir is not null) return _carDir;
        var dir = Path.Combine(_dir, "mirror");
        Directory.CreateDirectory(Path.Combine(dir, "exported"));
        foreach (var n in IpfsNodeFixture.Payloads.Keys.Where(n => n != "one-byte"))
        {
            var f = await node.FileAsync(n);
            await File.WriteAllBytesAsync(Path.Combine(dir, "exported", n + ".car"), await node.DagExportAsync(f.NodeCid));
        }
        CarPacker.PackToFile([(await node.FileAsync("one-byte")).Path], Path.Combine(dir, "packed.car"));
        return _carDir = dir;
    }
}
