namespace CropData.Gdal.Tests;

/// <summary>
/// Windows warped alone must equal the same windows of one whole-grid warp. The grid here is the real Fmask tile's
/// surroundings in EPSG:5070, twice the tile's size, so GDAL splits the whole-grid warp into many chunks.
/// </summary>
public class GridWindowWarperTests
{
    private static RasterGrid GridAroundRealFmask()
    {
        using var t = CoordinateTransform.FromEpsg(32613, 5070);
        var (cx, cy) = t.Transform(300000 + 54900, 3300000 - 54900);
        // Snap to the CDL grid (origin -2356095 / 3172605, 30 m).
        double x0 = -2356095 + Math.Floor((cx - 110000 + 2356095) / 30) * 30, y0 = 3172605 - Math.Floor((3172605 - (cy + 110000)) / 30) * 30;
        return new RasterGrid("EPSG:5070", GeoTransform.NorthUp(x0, y0, 30), 7300, 7300);
    }

    [Fact]
    public void Approximate_windows_equal_the_whole_grid_default_warp()
    {
        var grid = GridAroundRealFmask();
        using var whole = Warp.ToMemory(TestFiles.RealFmask, grid, new WarpOptions { Resampling = Resampling.Nearest });
        using var warper = GridWindowWarper.Open(TestFiles.RealFmask, grid, Resampling.Nearest, GridTransform.Approximate);
        Assert.True(warper.ChunkCount > 4, $"the whole-grid warp should be chunked, got {warper.ChunkCount} chunk(s)");
        var compared = 0;
        // Odd offsets: windows then cut whole-grid chunks into slivers down to 1 px wide.
        for (var y = 37; y + 224 <= grid.Height; y += 448)
            for (var x = 97 + y % 5; x + 224 <= grid.Width; x += 224)
            {
                var expected = whole.ReadWindow<byte>(1, x, y, 224, 224);
                Assert.True(expected.AsSpan().SequenceEqual(warper.Warp<byte>(x, y, 224, 224)), $"window ({x}, {y}) differs");
                compared++;
            }
        Assert.True(compared > 400);
    }

    [Fact]
    public void Exact_windows_equal_the_whole_grid_exact_warp()
    {
        var grid = GridAroundRealFmask().Window(1500, 1500, 4400, 1000);
        using var whole = Warp.ToMemory(TestFiles.RealFmask, grid,
            new WarpOptions { Resampling = Resampling.Nearest, ExactTransform = true, FixedScale = true });
        using var warper = GridWindowWarper.Open(TestFiles.RealFmask, grid, Resampling.Nearest, GridTransform.Exact);
        for (var x = 0; x + 224 <= grid.Width; x += 224)
            Assert.True(whole.ReadWindow<byte>(1, x, 500, 224, 224).AsSpan().SequenceEqual(warper.Warp<byte>(x, 500, 224, 224)),
                $"window ({x}, 500) differs");
    }

    [Fact]
    public void A_window_warped_with_plain_gdalwarp_differs_somewhere()
    {
        // Why GridWindowWarper exists: warping a window on its own (approximate transformer over the window's rows)
        // is not the whole-grid result. If this ever holds everywhere, the machinery is no longer needed.
        var grid = GridAroundRealFmask();
        using var whole = Warp.ToMemory(TestFiles.RealFmask, grid, new WarpOptions { Resampling = Resampling.Nearest });
        var differing = 0;
        for (var x = 1792; x + 224 <= 5600; x += 224)
        {
            var alone = Warp.ToArray<byte>(TestFiles.RealFmask, grid.Window(x, 3584, 224, 224), new WarpOptions { Resampling = Resampling.Nearest });
            if (!whole.ReadWindow<byte>(1, x, 3584, 224, 224).AsSpan().SequenceEqual(alone)) differing++;
        }
        Assert.True(differing > 0);
    }

    [Fact]
    public void The_inline_source_window_test_holds_only_positions_the_full_test_leaves_as_they_are()
    {
        // Row transforms skip CheckAgainstChunkWindow for positions ChunkSourceBounds holds: that must never skip one
        // the full test would change (refuse, or retry exactly). Positions on, just inside and just outside every edge.
        // A retry re-transforms grid pixel (5, 5) with a real transformer: its position is not the one given.
        using var warper = GridWindowWarper.Open(TestFiles.RealFmask, GridAroundRealFmask(), Resampling.Nearest, GridTransform.Approximate);
        var c = new GridWindowWarper.Chunk(0, 0, 0, 100, 100, 17, 23, 40, 30);
        var bounds = new GridWindowWarper.WindowHook.ChunkSourceBounds(c);
        double[] Around(double edge) => [edge - 1.5, edge - 1, edge - 0.5, Math.BitDecrement(edge), edge, Math.BitIncrement(edge),
            edge - 1e-10, Math.BitDecrement(edge - 1e-10), Math.BitIncrement(edge - 1e-10), edge + 0.5, edge + 1.5];
        var xs = Around(c.SrcX).Concat(Around(c.SrcX + c.SrcWidth)).Append(30.25).Append(double.NaN).ToArray();
        var ys = Around(c.SrcY).Concat(Around(c.SrcY + c.SrcHeight)).Append(31.75).Append(double.NaN).ToArray();
        int held = 0, inside = 0;
        foreach (var x in xs)
            foreach (var y in ys)
                foreach (var ok in new[] { 0, 1 })
                {
                    if (!bounds.Holds(x, y, ok)) continue;
                    held++;
                    double gx = x, gy = y;
                    var gok = ok;
                    GridWindowWarper.WindowHook.CheckAgainstChunkWindow(warper.ApproxTransformer, c, 5, 5, ref gx, ref gy, ref gok);
                    Assert.True(gok == ok && gx.Equals(x) && gy.Equals(y), $"({x:R}, {y:R}, ok {ok}) held inline but changed by the full test");
                    if (x > c.SrcX && x < c.SrcX + c.SrcWidth - 1 && y > c.SrcY && y < c.SrcY + c.SrcHeight - 1) inside++;
                }
        Assert.True(held > 50 && inside > 0, $"the inline test should hold the positions inside the window ({held} held)");
    }

    [Fact]
    public void Window_outside_the_grid_is_rejected()
    {
        var grid = GridAroundRealFmask();
        using var warper = GridWindowWarper.Open(TestFiles.RealFmask, grid, Resampling.Nearest, GridTransform.Exact);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => warper.Warp<byte>(7200, 0, 224, 224));
        Assert.Contains(TestFiles.RealFmask, e.Message);
    }
}

public class ChunkLayoutTests
{
    [Theory]
    [InlineData(Resampling.Nearest)]
    [InlineData(Resampling.Bilinear)]
    public void Gdal_chunk_list_read_directly_equals_the_dry_run_layout(Resampling resampling)
    {
        using var t = CoordinateTransform.FromEpsg(32613, 5070);
        var (cx, cy) = t.Transform(354900, 3245100);
        double x0 = -2356095 + Math.Floor((cx - 110000 + 2356095) / 30) * 30, y0 = 3172605 - Math.Floor((3172605 - (cy + 110000)) / 30) * 30;
        var grid = new RasterGrid("EPSG:5070", GeoTransform.NorthUp(x0, y0, 30), 7300, 7100);
        using var listed = GridWindowWarper.Open(TestFiles.RealFmask, grid, resampling, GridWindowWarper.LayoutMethod.ChunkList);
        using var dryRun = GridWindowWarper.Open(TestFiles.RealFmask, grid, resampling, GridWindowWarper.LayoutMethod.DryRun);
        static string Key(GridWindowWarper.Chunk c) => $"{c.X},{c.Y},{c.Width}x{c.Height} <- {c.SrcX},{c.SrcY},{c.SrcWidth}x{c.SrcHeight}";
        Assert.True(dryRun.Layout.Chunks.Count > 4);
        Assert.Equal(dryRun.Layout.Chunks.Select(Key).Order(), listed.Layout.Chunks.Select(Key).Order());
    }
}

public class WarpOptionsLayoutTests
{
    [Fact]
    public void Fields_written_by_offset_are_the_ones_gdal_reads()
    {
        using var src = RasterDataset.Open(TestFiles.RealFmask);
        using var dst = RasterDataset.CreateInMemory(new RasterGrid("EPSG:5070", GeoTransform.NorthUp(0, 0, 30), 10, 10), 1, RasterDataType.Int16, -9999);
        var options = LowLevelWarp.CreateOptions(src, dst, Resampling.Bilinear, [("XSCALE", "1")], 255, -9999, RasterDataType.Int16);
        try
        {
            var xml = LowLevelWarp.Describe(options);
            Assert.Contains("<ResampleAlg>Bilinear</ResampleAlg>", xml);
            Assert.Contains("<WorkingDataType>Int16</WorkingDataType>", xml);
            Assert.Contains("<Option name=\"INIT_DEST\">NO_DATA</Option>", xml);
            Assert.Contains("<Option name=\"XSCALE\">1</Option>", xml);
            Assert.Contains("<BandMapping src=\"1\" dst=\"1\">", xml);
            Assert.Contains("<SrcNoDataReal>255</SrcNoDataReal>", xml);
            Assert.Contains("<DstNoDataReal>-9999</DstNoDataReal>", xml);
            Assert.Contains("HLS.S30.T13RCN.2024128T173909.v2.0.Fmask.tif", xml);
        }
        finally { LowLevelWarp.Destroy(options); }
    }
}

/// <summary>
/// Chunks warped whole (where GDAL widened the kernel) are shared through a <see cref="WarpedChunkCache"/> by the warpers
/// of one file and grid — the chip rows of a band — without changing a pixel, and a replaced file is never answered
/// from the cache.
/// </summary>
public class WarpedChunkCacheTests
{
    [Fact]
    public void Two_warpers_sharing_a_cache_warp_each_chunk_once_and_equal_the_whole_grid_warp()
    {
        var dir = Directory.CreateTempSubdirectory("cropdata-chunkcache-").FullName;
        try
        {
            var source = Path.Combine(dir, "fmask.tif");
            File.Copy(TestFiles.RealFmask, source);
            using var t = CoordinateTransform.FromEpsg(32613, 5070);
            var (cx, cy) = t.Transform(300000 + 54900, 3300000 - 54900);
            // A 30 km square inside the tile: the whole-grid warp is one chunk whose source window (the rotated square's
            // bounding box) is wider than it, so GDAL widened the kernel and every window takes its pixels from that chunk,
            // as on the embedded sample's small tile.
            double x0 = -2356095 + Math.Floor((cx - 15000 + 2356095) / 30) * 30, y0 = 3172605 - Math.Floor((3172605 - (cy + 15000)) / 30) * 30;
            var grid = new RasterGrid("EPSG:5070", GeoTransform.NorthUp(x0, y0, 30), 1000, 1000);
            using var whole = Warp.ToMemory(source, grid, new WarpOptions { Resampling = Resampling.Bilinear });
            var cache = new WarpedChunkCache();
            var windows = new[] { (0, 0), (224, 0), (0, 224), (776, 776), (552, 776), (300, 0), (300, 224) };
            using (var a = GridWindowWarper.Open(source, grid, Resampling.Bilinear, GridTransform.Approximate, cache))
            using (var b = GridWindowWarper.Open(source, grid, Resampling.Bilinear, GridTransform.Approximate, cache))
                for (int i = 0; i < windows.Length; i++)
                {
                    var (x, y) = windows[i];
                    var got = (i % 2 == 0 ? a : b).Warp<byte>(x, y, 224, 224);
                    Assert.True(whole.ReadWindow<byte>(1, x, y, 224, 224).AsSpan().SequenceEqual(got), $"window ({x}, {y}) differs");
                }
            Assert.True(cache.Warped > 0, "the grid should be a chunk warped whole");
            Assert.True(cache.Served >= windows.Length - cache.Warped, $"windows sharing a chunk should reuse it (warped {cache.Warped}, served {cache.Served})");

            // The same path with other content (here: a new modification time) is another key: warped again.
            int warped = cache.Warped;
            File.SetLastWriteTimeUtc(source, File.GetLastWriteTimeUtc(source).AddSeconds(5));
            using (var c = GridWindowWarper.Open(source, grid, Resampling.Bilinear, GridTransform.Approximate, cache))
                c.Warp<byte>(0, 0, 224, 224);
            Assert.True(cache.Warped > warped, "a changed file must not be served from the cache");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
