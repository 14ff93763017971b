using CropData.Ipfs.Car;
using CropData.Ipfs.Dag;
using CropData.Ipfs.Export;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

public sealed class ImporterExporterTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir("unit");

    // Tiny chunks and fan-out make multi-level DAGs from a few bytes.
    private static readonly ImporterOptions Tiny = new("tiny", ChunkSize: 4, MaxLinks: 3, RawLeaves: true, CidVersion: 1);

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Empty_and_one_byte_files_get_the_cids_the_js_ipfs_node_gave()
    {
        // Both CIDs were printed by the js-ipfs test node for add?cid-version=1&raw-leaves=true.
        Assert.Equal("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", CidCalculator.ForStream(new MemoryStream()));
        Assert.Equal("bafkreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273sixm", CidCalculator.ForStream(new MemoryStream("a"u8.ToArray())));
    }

    [Fact]
    public void Same_bytes_in_any_append_pattern_give_the_same_cid()
    {
        var data = TestFiles.Bytes(700_001, 5);
        var whole = CidCalculator.ForBytes(data);
        var b = new UnixFsFileBuilder();
        for (var i = 0; i < data.Length; i += 777) b.Append(data.AsSpan(i, Math.Min(777, data.Length - i)));
        Assert.Equal(whole, b.Complete().Root);
        Assert.Equal(whole.ToString(), CidCalculator.ForFile(Write("f", data)));
    }

    [Fact]
    public void An_existing_file_is_checked_against_its_cid_under_either_default_chunking()
    {
        var data = TestFiles.Bytes(3_000_000, 8);
        var path = Write("existing", data);
        Assert.True(CidCalculator.FileMatches(path, CidCalculator.ForBytes(data)));
        Assert.True(CidCalculator.FileMatches(path, CidCalculator.ForBytes(data, ImporterOptions.Helia)));
        Assert.True(CidCalculator.FileMatches(path, CidCalculator.ForBytes(data, ImporterOptions.KuboV0)));
        data[2_999_999] ^= 1;
        Assert.False(CidCalculator.FileMatches(path, CidCalculator.ForBytes(data)));
    }

    [Theory]
    // chunks -> link counts per level, top first (js-ipfs groups each level in runs of MaxLinks; a lone run still gets a parent)
    [InlineData(1, "")]              // the raw leaf itself
    [InlineData(3, "3")]
    [InlineData(4, "2|3,1")]
    [InlineData(9, "3|3,3,3")]
    [InlineData(10, "2|3,1|3,3,3,1")]
    public void Balanced_layout_groups_chunks_like_the_reference_importers(int chunks, string shape)
    {
        var blocks = new Dictionary<MultihashKey, byte[]>();
        var b = new UnixFsFileBuilder(Tiny, (c, d) => blocks[c.Key] = d.ToArray());
        b.Append(TestFiles.Bytes(chunks * 4, 9));
        var root = b.Complete();
        Assert.Equal(chunks * 4, root.FileSize);
        var levels = new List<string>();
        var level = new List<Cid> { root.Root };
        while (level.All(c => c.Codec == Multicodec.DagPb))
        {
            var nodes = level.Select(c => DagPb.Decode(blocks[c.Key])).ToList();
            levels.Add(string.Join(",", nodes.Select(n => n.Links.Count)));
            level = [.. nodes.SelectMany(n => n.Links.Select(l => l.Hash))];
        }
        Assert.Equal(chunks, level.Count);
        Assert.Equal(shape, string.Join("|", levels));
    }

    [Fact]
    public void Cidv0_profile_makes_dag_pb_leaves_and_a_qm_root()
    {
        var cid = CidCalculator.ForBytes(TestFiles.Bytes(600_000, 1), ImporterOptions.KuboV0);
        Assert.Equal(0, cid.Version);
        Assert.StartsWith("Qm", cid.ToString());
        // go-ipfs and js-ipfs agree on the empty file's CIDv0.
        Assert.Equal("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", CidCalculator.ForBytes([], ImporterOptions.KuboV0).ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(262_144)]
    [InlineData(262_145)]
    [InlineData(3_000_000)]
    public async Task Packed_car_exports_back_to_the_same_bytes_through_the_index_and_the_stream(int length)
    {
        var src = Write("src", TestFiles.Bytes(length, (ulong)length + 1));
        var car = Path.Combine(_dir, "one.car");
        var roots = CarPacker.PackToFile([src], car);
        Assert.Equal(CidCalculator.ForFile(src), roots[0].ToString());

        using var index = await CarIndex.BuildAsync(car);
        var outIndexed = Path.Combine(_dir, "out-indexed");
        Assert.Equal(length, await UnixFsExporter.ExportAsync(roots[0], index.CreateProvider(), outIndexed));
        Assert.Equal(TestFiles.Sha256(src), TestFiles.Sha256(outIndexed));

        var outStreamed = Path.Combine(_dir, "out-streamed");
        var (size, spilled) = await CarTools.ExportAsync(File.ReadAllBytes(car), roots[0], outStreamed);
        Assert.Equal(length, size);
        Assert.Equal(0, spilled);   // the packer writes depth-first, the order the exporter asks in
        Assert.Equal(TestFiles.Sha256(src), TestFiles.Sha256(outStreamed));
    }

    [Fact]
    public async Task Packing_is_deterministic_and_stores_repeated_chunks_once()
    {
        var a = TestFiles.Write(_dir, "a", 40L * TestFiles.Chunk + 5, 3, period: 7);   // chunks repeat every 7
        var b = TestFiles.Write(_dir, "b", 300_000, 4);
        var car1 = Path.Combine(_dir, "1.car");
        var car2 = Path.Combine(_dir, "2.car");
        var roots = CarPacker.PackToFile([a, b], car1);
        CarPacker.PackToFile([a, b], car2);
        Assert.Equal(File.ReadAllBytes(car1), File.ReadAllBytes(car2));

        var (hdrRoots, blocks) = await CarTools.ReadAllAsync(File.ReadAllBytes(car1));
        Assert.Equal(roots, hdrRoots);
        Assert.Equal(blocks.Count, blocks.Select(x => Convert.ToHexString(x.Cid.Bytes)).Distinct().Count());
        // a: 7 distinct chunk contents + 1 partial + 1 root; b: 2 leaves + 1 root.
        Assert.Equal(7 + 1 + 1 + 2 + 1, blocks.Count);

        using var index = await CarIndex.BuildAsync(car1);
        foreach (var (root, src) in new[] { (roots[0], a), (roots[1], b) })
        {
            var o = Path.Combine(_dir, "o");
            await UnixFsExporter.ExportAsync(root, index.CreateProvider(), o);
            Assert.Equal(TestFiles.Sha256(src), TestFiles.Sha256(o));
        }
    }

    [Fact]
    public async Task A_car_in_bottom_up_order_still_verifies_by_spilling_to_disk()
    {
        var data = TestFiles.Bytes(10 * 4 + 2, 11);
        var blocks = new List<(Cid, byte[])>();
        var b = new UnixFsFileBuilder(Tiny, (c, d) => blocks.Add((c, d.ToArray())));
        b.Append(data);
        var root = b.Complete().Root;
        var car = CarTools.Write([root], blocks);      // leaves first, root last
        var o = Path.Combine(_dir, "o");
        var (size, spilled) = await CarTools.ExportAsync(car, root, o);
        Assert.Equal(data.Length, size);
        Assert.True(spilled > 0);
        Assert.Equal(data, File.ReadAllBytes(o));
    }

    [Fact]
    public async Task Altered_bytes_in_a_leaf_are_rejected_naming_the_block()
    {
        var (root, blocks) = await PackedAsync(600_000);
        var i = blocks.FindIndex(x => x.Cid.Codec == Multicodec.Raw);
        var altered = (byte[])blocks[i].Data.Clone();
        altered[1000] ^= 1;
        blocks[i] = (blocks[i].Cid, altered);
        var e = await Assert.ThrowsAsync<CidVerificationException>(() => CarTools.ExportAsync(CarTools.Write([root], blocks), root, Out()));
        Assert.Contains(blocks[i].Cid.ToString(), e.Message);
        Assert.Contains("hash to its CID", e.Message);
        Assert.Equal(root, e.Root);
    }

    [Fact]
    public async Task A_missing_block_is_rejected()
    {
        var (root, blocks) = await PackedAsync(600_000);
        var gone = blocks[2].Cid;
        blocks.RemoveAt(2);
        var e = await Assert.ThrowsAsync<CidVerificationException>(() => CarTools.ExportAsync(CarTools.Write([root], blocks), root, Out()));
        Assert.Contains($"block {gone}", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public async Task A_foreign_block_in_place_of_a_leaf_is_rejected()
    {
        var (root, blocks) = await PackedAsync(600_000);
        var foreign = TestFiles.Bytes(262_144, 999);
        var wanted = blocks[1].Cid;
        blocks[1] = (Cid.Compute(foreign, Multicodec.Raw), foreign);   // valid block, wrong DAG
        var e = await Assert.ThrowsAsync<CidVerificationException>(() => CarTools.ExportAsync(CarTools.Write([root], blocks), root, Out()));
        Assert.Contains($"block {wanted}", e.Message);
    }

    [Fact]
    public async Task An_extra_block_after_a_complete_dag_is_rejected()
    {
        var (root, blocks) = await PackedAsync(600_000);
        var extra = TestFiles.Bytes(100, 5);
        var extraCid = Cid.Compute(extra, Multicodec.Raw);
        blocks.Add((extraCid, extra));
        var e = await Assert.ThrowsAsync<CidVerificationException>(() => CarTools.ExportAsync(CarTools.Write([root], blocks), root, Out()));
        Assert.Contains("outside the file's DAG", e.Message);
        Assert.Contains(extraCid.ToString(), e.Message);
    }

    [Fact]
    public async Task Duplicate_sections_of_dag_blocks_are_accepted()
    {
        var (root, blocks) = await PackedAsync(600_000);
        blocks.Add(blocks[1]);     // dups=y gateways may repeat blocks
        var (size, _) = await CarTools.ExportAsync(CarTools.Write([root], blocks), root, Out());
        Assert.Equal(600_000, size);
    }

    [Fact]
    public async Task A_node_whose_blocksizes_disagree_with_its_children_is_rejected()
    {
        var l1 = TestFiles.Bytes(10, 1);
        var l2 = TestFiles.Bytes(20, 2);
        var c1 = Cid.Compute(l1, Multicodec.Raw);
        var c2 = Cid.Compute(l2, Multicodec.Raw);
        // Hash-valid but lying node: says the second child holds 21 bytes (filesize consistent with the lie).
        var node = DagPb.Encode(new PbNode([new PbLink(c1, "", 10), new PbLink(c2, "", 20)],
            new UnixFsData(UnixFsType.File, null, 31, [10, 21]).Encode()));
        var root = Cid.Compute(node, Multicodec.DagPb);
        var e = await Assert.ThrowsAsync<CidVerificationException>(() =>
            CarTools.ExportAsync(CarTools.Write([root], [(root, node), (c1, l1), (c2, l2)]), root, Out()));
        Assert.Contains($"block {c2} holds 20 bytes of file data but its parent {root} declares 21", e.Message);
    }

    [Fact]
    public async Task A_node_whose_filesize_disagrees_with_its_blocksizes_is_rejected()
    {
        var l1 = TestFiles.Bytes(10, 1);
        var c1 = Cid.Compute(l1, Multicodec.Raw);
        var node = DagPb.Encode(new PbNode([new PbLink(c1, "", 10)], new UnixFsData(UnixFsType.File, null, 11, [10]).Encode()));
        var root = Cid.Compute(node, Multicodec.DagPb);
        var e = await Assert.ThrowsAsync<CidVerificationException>(() =>
            CarTools.ExportAsync(CarTools.Write([root], [(root, node), (c1, l1)]), root, Out()));
        Assert.Contains("declares filesize 11", e.Message);
    }

    [Fact]
    public async Task A_directory_is_not_exported_as_a_file()
    {
        var node = DagPb.Encode(new PbNode([], new UnixFsData(UnixFsType.Directory, null, null, []).Encode()));
        var root = Cid.Compute(node, Multicodec.DagPb);
        var e = await Assert.ThrowsAsync<CidVerificationException>(() => CarTools.ExportAsync(CarTools.Write([root], [(root, node)]), root, Out()));
        Assert.Contains("Directory", e.Message);
    }

    [Fact]
    public async Task Dag_pb_leaves_of_a_cidv0_file_export()
    {
        var data = TestFiles.Bytes(600_000, 21);
        var blocks = new List<(Cid, byte[])>();
        var b = new UnixFsFileBuilder(ImporterOptions.KuboV0, (c, d) => blocks.Add((c, d.ToArray())));
        b.Append(data);
        var root = b.Complete().Root;
        var o = Out();
        await CarTools.ExportAsync(CarTools.Write([root], blocks), root, o);
        Assert.Equal(data, File.ReadAllBytes(o));
    }

    private async Task<(Cid Root, List<(Cid Cid, byte[] Data)> Blocks)> PackedAsync(int length)
    {
        var src = Write($"p{length}", TestFiles.Bytes(length, 77));
        var ms = new MemoryStream();
        var root = CarPacker.Pack([src], ms)[0];
        var (_, blocks) = await CarTools.ReadAllAsync(ms.ToArray());
        return (root, blocks);
    }

    private string Write(string name, byte[] data)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, data);
        return p;
    }

    private string Out() => Path.Combine(_dir, "out-" + Guid.NewGuid().ToString("N"));
}

public sealed class LocalCarSourceTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir("carsrc");

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task A_mirror_directory_without_the_block_reports_not_found_and_the_check_says_so()
    {
        var data = TestFiles.Bytes(500_000, 3);
        var src = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(src, data);
        Directory.CreateDirectory(Path.Combine(_dir, "mirror"));
        CarPacker.PackToFile([src], Path.Combine(_dir, "mirror", "a.car"));
        using var source = new CropData.Ipfs.Retrieval.LocalCarSource(Path.Combine(_dir, "mirror"));
        var other = CidCalculator.ForBytes(TestFiles.Bytes(10, 4));

        var check = await source.CheckAsync(other, TimeSpan.FromSeconds(1), default);
        Assert.False(check.Available);
        var e = await Assert.ThrowsAsync<CropData.Ipfs.Retrieval.IpfsFetchException>(() =>
            new CropData.Ipfs.Retrieval.IpfsFetcher([source]).FetchAsync(other, Path.Combine(_dir, "x.part")));
        Assert.Equal(CropData.Ipfs.Retrieval.SourceFailureKind.NotFound, Assert.Single(e.Failures).Kind);

        var ok = await new CropData.Ipfs.Retrieval.IpfsFetcher([source]).FetchAsync(CidCalculator.ForBytes(data), Path.Combine(_dir, "y.part"));
        Assert.Equal(data, File.ReadAllBytes(ok.Path));
        Assert.Single((await source.GetIndexAsync()).Files);
    }

    [Fact]
    public async Task A_car_whose_blocks_are_corrupt_is_caught_at_fetch_time()
    {
        var data = TestFiles.Bytes(600_000, 6);
        var src = Path.Combine(_dir, "b.bin");
        File.WriteAllBytes(src, data);
        var car = Path.Combine(_dir, "b.car");
        var root = CarPacker.PackToFile([src], car)[0];
        var bytes = File.ReadAllBytes(car);
        bytes[^5] ^= 0xFF;                      // inside the last leaf
        File.WriteAllBytes(car, bytes);
        using var source = new CropData.Ipfs.Retrieval.LocalCarSource(car);
        var e = await Assert.ThrowsAsync<CropData.Ipfs.Retrieval.IpfsFetchException>(() =>
            new CropData.Ipfs.Retrieval.IpfsFetcher([source]).FetchAsync(root, Path.Combine(_dir, "z.part")));
        Assert.Contains("bytes that do not hash to its CID", e.Message);
        Assert.Contains(source.Name, e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "z.part")));
    }
}
