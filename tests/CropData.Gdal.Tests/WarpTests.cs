using System.Globalization;

namespace CropData.Gdal.Tests;

public class WarpTests
{
    [Fact]
    public void Tile_corner_matches_gdaltransform()
    {
        using var t = CoordinateTransform.FromEpsg(32614, 5070);
        var output = TestFiles.Run("gdaltransform", "-s_srs EPSG:32614 -t_srs EPSG:5070", "600000 4400040\n709800 4290240\n");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (line, (x, y)) in lines.Zip(new[] { (600000.0, 4400040.0), (709800.0, 4290240.0) }))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var (tx, ty) = t.Transform(x, y);
            Assert.Equal(f[0], tx, 1e-6);
            Assert.Equal(f[1], ty, 1e-6);
        }
    }

    [Fact]
    public void Nearest_warp_of_the_real_fmask_matches_the_gdalwarp_tool()
    {
        using var tmp = new TempDir();
        // A 30 m grid in the neighbouring UTM zone over part of the real scene.
        var grid = new RasterGrid("EPSG:32612", GeoTransform.NorthUp(880005, 3280005, 30), 600, 500);
        var ours = Warp.ToArray<byte>(TestFiles.RealFmask, grid, new WarpOptions { Resampling = Resampling.Nearest });
        var reference = tmp.File("ref.tif");
        TestFiles.Run("gdalwarp", $"-q -r near -t_srs EPSG:32612 -te 880005 3265005 898005 3280005 -ts 600 500 \"{TestFiles.RealFmask}\" \"{reference}\"");
        using var r = RasterDataset.Open(reference);
        Assert.Equal(r.ReadBand<byte>(1), ours);
        Assert.Contains(ours, v => v != 255);
        Assert.Contains(ours, v => v == 255);   // part of the grid lies outside the scene: nodata kept
    }

    [Fact]
    public void Identity_grid_warp_returns_the_source_pixels()
    {
        using var src = RasterDataset.Open(TestFiles.RealFmask);
        var grid = src.Grid.Window(1000, 2000, 300, 200);
        var warped = Warp.ToArray<byte>(TestFiles.RealFmask, grid, new WarpOptions { Resampling = Resampling.Nearest });
        Assert.Equal(src.ReadWindow<byte>(1, 1000, 2000, 300, 200), warped);
    }

    [Fact]
    public void Warp_of_a_missing_file_names_it()
    {
        var grid = new RasterGrid("EPSG:5070", GeoTransform.NorthUp(0, 0, 30), 10, 10);
        var e = Assert.Throws<GdalException>(() => Warp.ToArray<short>("/nonexistent/B02.tif", grid, new WarpOptions()));
        Assert.Contains("/nonexistent/B02.tif", e.Message);
    }
}
