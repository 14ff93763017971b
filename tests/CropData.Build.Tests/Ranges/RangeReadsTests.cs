using CropData.Build.Context;
using CropData.Gdal;
using CropData.Geo;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;
using CropData.IpfsGdal;
using CropData.Raster;
using CropData.Raster.Testing;

namespace CropData.Build.Tests.Ranges;

/// <summary>
/// Stage 8 in download.mode ranges (issue 17) on the full-size SYNTHETIC 14SPJ tile (3660 x 3660 COGs, as the raster
/// benchmark's) added to the real js-ipfs node: chips read through /vsiipfs/CID from verified blocks are byte-identical
/// to chips of the downloaded file in both reproject modes, fetching a fraction of the file; a peer sending one wrong
/// block is caught and the block comes from the node; with no honest source the unit fails naming the CID and writes
/// no chip.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class RangeReadsTests(IpfsNodeFixture node) : IAsyncLifetime
{
    private static readonly CdlRasterInfo National = CdlRasterInfo.FromNationalWindow("national CDL extent", 0, 0, 153811, 96523);
    private static readonly IpfsFetchOptions Fast = new() { MaxAttemptsPerSource = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(20) };
    private readonly string _dir = TestFiles.NewTempDir("build-ranges");
    private string _b02 = "", _fmask = "";
    private Cid _b02Cid = null!, _fmaskCid = null!;

    public async Task InitializeAsync()
    {
        _b02 = Path.Combine(_dir, "HLS.S30.T14SPJ.2022074T171051.v2.0.B02.tif");
        _fmask = Path.Combine(_dir, "HLS.S30.T14SPJ.2022074T171051.v2.0.Fmask.tif");
        await Task.WhenAll(Task.Run(() => SyntheticHlsTile.WriteReflectance(_b02, 0, 42)), Task.Run(() => SyntheticHlsTile.WriteFmask(_fmask, 42)));
        _b02Cid = Cid.Parse(await node.AddAsync(_b02));
        _fmaskCid = Cid.Parse(await node.AddAsync(_fmask));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    /// <summary>Three chips inside the scene's swath (two neighbours in a row and one further down).</summary>
    private static List<ChipId> Chips()
    {
        var g = DestinationGrid.Original(SyntheticHlsTile.Grid(), National);
        var gt = g.Grid.Transform;
        var first = CdlGrid.ChipAt(gt.OriginX, gt.OriginY);
        var a = new ChipId(first.Row + 18, first.Col + 20);
        return [a, new ChipId(a.Row, a.Col + 1), new ChipId(a.Row + 5, a.Col + 3)];
    }

    private string Warp(string path, BandKind kind, ReprojectMode mode, string tag)
    {
        var outDir = Path.Combine(_dir, tag);
        Directory.CreateDirectory(outDir);
        SceneBandWarp.Run(path, "14SPJ", kind, National, Chips(), mode, chip => Path.Combine(outDir, chip + ".tif"));
        return outDir;
    }

    private static void AssertSameFiles(string expectedDir, string actualDir)
    {
        var expected = Directory.GetFiles(expectedDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, Directory.GetFiles(actualDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var f in expected)
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDir, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actualDir, f!))), $"{f} differs");
    }

    private BlockFetcher Fetcher(params IBlockSource[] sources) =>
        new(sources, new BlockCache(Path.Combine(_dir, "cache-" + Guid.NewGuid().ToString("N")[..8])), Fast);

    [Theory]
    [InlineData(ReprojectMode.Original)]
    [InlineData(ReprojectMode.Exact)]
    public void Ranges_and_whole_give_byte_identical_chips_on_the_full_size_tile(ReprojectMode mode)
    {
        var files = new IpfsVirtualFiles(Fetcher(new KuboBlockSource(node.Api)));
        foreach (var (path, cid, kind) in new[] { (_b02, _b02Cid, BandKind.Reflectance), (_fmask, _fmaskCid, BandKind.Quality) })
        {
            var whole = Warp(path, kind, mode, $"whole-{mode}-{kind}");
            using var reads = files.BeginReads();
            var ranges = Warp(IpfsVirtualFiles.PathOf(cid.ToString()), kind, mode, $"ranges-{mode}-{kind}");
            AssertSameFiles(whole, ranges);
            var read = reads.Leaves(cid.ToString()).Sum(l => l[1]);
            Assert.Equal(new FileInfo(path).Length, reads.Size(cid.ToString()));
            // The reflectance COG is ~30 MB (115 leaves); the synthetic Fmask compresses into two leaves, both needed.
            var size = new FileInfo(path).Length;
            Assert.True(read > 0 && (size < 1 << 20 ? read <= size : read < size / 4), $"{kind}: read {read} of {size} bytes for 3 chips");
        }
        Assert.Null(VirtualFileSystemFailure());
    }

    [Fact]
    public async Task A_wrong_block_from_one_peer_is_refetched_from_the_node_and_never_reaches_gdal()
    {
        var (_, blocks) = await CarTools.ReadAllAsync(await node.DagExportAsync(_b02Cid.ToString()));
        await using var gateway = new BlockGateway(blocks);
        // The first leaf holds the COG header and tile index: GDAL cannot open the file without it.
        var header = blocks.First(b => b.Cid.Codec == Multicodec.Raw).Cid;
        gateway.Tampered.Add(header);
        var hostile = new GatewayBlockSource(gateway.BaseUri);
        var kubo = new KuboBlockSource(node.Api);
        var whole = Warp(_b02, BandKind.Reflectance, ReprojectMode.Original, "whole-hostile");

        var files = new IpfsVirtualFiles(Fetcher(hostile, kubo));
        using (files.BeginReads())
            AssertSameFiles(whole, Warp(IpfsVirtualFiles.PathOf(_b02Cid.ToString()), BandKind.Reflectance, ReprojectMode.Original, "ranges-hostile"));
        var stats = files.Fetcher.Stats.Sources.ToDictionary(s => s.Source);
        // The peer's blocks come one by one (format=raw) or, for adjacent leaves, in one CAR (entity-bytes).
        Assert.Equal(1, stats[hostile.Name].Rejected + stats[hostile.RangeName].Rejected);
        Assert.Equal(1, stats[kubo.Name].Blocks);
        Assert.True(stats[hostile.Name].Blocks + stats[hostile.RangeName].Blocks > 3);

        // The hostile peer alone: GDAL gets an error, never the altered header; the message names the band and the block.
        var alone = new IpfsVirtualFiles(Fetcher(hostile));
        using var reads = alone.BeginReads();
        var outDir = Path.Combine(_dir, "ranges-hostile-alone");
        var e = Assert.ThrowsAny<Exception>(() => Warp(IpfsVirtualFiles.PathOf(_b02Cid.ToString()), BandKind.Reflectance, ReprojectMode.Original, "ranges-hostile-alone"));
        Assert.Contains(_b02Cid.ToString(), e.Message);
        Assert.Contains(header.ToString(), e.Message);
        Assert.Contains("do not hash to its CID", e.Message);
        Assert.Empty(Directory.GetFiles(outDir));
        Assert.NotNull(reads.Failure);
    }

    private static Exception? VirtualFileSystemFailure() => CropData.Gdal.Vsi.VirtualFileSystem.Failure;

}
