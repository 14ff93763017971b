using System.Globalization;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster.Tests;

public class CdlGridTests
{
    [Fact]
    public void Chip_id_encodes_its_footprint()
    {
        // Spec "Grids and names": chip_184_236 → x ∈ [-770175, -763455], y ∈ [1929405, 1936125].
        Assert.Equal((-770175.0, 1929405.0, -763455.0, 1936125.0), CdlGrid.ChipBounds(ChipId.Parse("chip_184_236")));
        var grid = CdlGrid.ChipGrid(ChipId.Parse("chip_184_236"));
        Assert.Equal(GeoTransform.NorthUp(-770175, 1936125, 30), grid.Transform);
        Assert.Equal((224, 224, "EPSG:5070"), (grid.Width, grid.Height, grid.Crs));
    }

    [Fact]
    public void Chip_at_inverts_the_footprint()
    {
        foreach (var id in new[] { "chip_184_236", "chip_203_335", "chip_000_000", "chip_257_266" })
        {
            var chip = ChipId.Parse(id);
            var (l, b, r, t) = CdlGrid.ChipBounds(chip);
            Assert.Equal(chip, CdlGrid.ChipAt((l + r) / 2, (b + t) / 2));
            Assert.Equal(chip, CdlGrid.ChipAt(l, t - 0.001));
        }
    }

    [Fact]
    public void Reference_chips_lie_at_known_windows_of_the_kansas_clip()
    {
        var cdl = CdlRasterInfo.Read(Repo.KansasCdl);
        Assert.Equal((75000, 45000, 1000, 1000), (cdl.NationalColumn, cdl.NationalRow, cdl.Width, cdl.Height));
        Assert.Equal(new PixelWindow(40, 472, 224, 224), cdl.ChipWindow(ChipId.Parse("chip_203_335")));
        Assert.Equal(new PixelWindow(264, 248, 224, 224), cdl.ChipWindow(ChipId.Parse("chip_202_336")));
        Assert.Equal(new PixelWindow(488, 472, 224, 224), cdl.ChipWindow(ChipId.Parse("chip_203_337")));
    }

    [Theory]
    [InlineData("chip_200_335")]   // above the clip
    [InlineData("chip_203_334")]   // straddles its west edge
    [InlineData("chip_205_338")]   // straddles its south edge
    public void Chip_not_fully_inside_the_cdl_raster_is_an_error_naming_chip_and_file(string id)
    {
        var cdl = CdlRasterInfo.Read(Repo.KansasCdl);
        Assert.False(cdl.Contains(ChipId.Parse(id)));
        var e = Assert.Throws<RasterException>(() => cdl.ChipWindow(ChipId.Parse(id)));
        Assert.Contains(id, e.Message);
        Assert.Contains(Repo.KansasCdl, e.Message);
    }

    [Fact]
    public void Off_grid_cdl_origin_is_rejected()
    {
        var e = Assert.Throws<RasterException>(() => new CdlRasterInfo("shifted.tif", -106080, 1822605, 100, 100));
        Assert.Contains("shifted.tif", e.Message);
    }

    [Fact]
    public void Non_cdl_raster_is_rejected()
    {
        var fmask = Path.Combine(Repo.Root(), "data", "reference", "hls", "HLS.S30.T13RCN.2024128T173909.v2.0.Fmask.tif");
        var e = Assert.Throws<RasterException>(() => CdlRasterInfo.Read(fmask));
        Assert.Contains("EPSG:32613", e.Message);
    }

    [Fact]
    public void Original_destination_grid_of_a_14spj_band_matches_the_spec_and_gdaltransform()
    {
        var grid = DestinationGrid.Original(Testing.SyntheticHlsTile.Grid(), Repo.NationalExtent);
        // Spec stage 8: ≈ 7485 x 7146 px for a 3660-px tile inside the national CDL.
        Assert.Equal(new PixelWindow(71360, 42096, 7485, 7146), grid.Window);

        // Independent recomputation: pixel-centre ranges, half = 54885, the two points through gdaltransform.
        const double xMin = 600015, xMax = 709785, yMin = 4290255, yMax = 4400025, half = 54885;
        var output = Repo.Run("gdaltransform", "-s_srs EPSG:32614 -t_srs EPSG:5070",
            $"{xMin - half} {yMin - half}\n{xMax + half} {yMax + half}\n");
        var p = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        int Col(double x) => (int)Math.Floor((x + 2356095) / 30);
        int Row(double y) => (int)Math.Floor((3172605 - y) / 30);
        Assert.Equal(Col(p[0][0]), grid.Window.Column);
        Assert.Equal(Col(p[1][0]), grid.Window.Column + grid.Width - 1);
        Assert.Equal(Row(p[1][1]), grid.Window.Row);
        Assert.Equal(Row(p[0][1]), grid.Window.Row + grid.Height - 1);
    }

    [Fact]
    public void Original_destination_grid_is_clamped_to_a_clip()
    {
        var cdl = CdlRasterInfo.Read(Repo.KansasCdl);
        var grid = DestinationGrid.Original(Testing.SyntheticHlsTile.Grid(), cdl);
        Assert.Equal(new PixelWindow(0, 0, 1000, 1000), grid.Window);
        Assert.Equal(cdl.Grid, grid.Grid);
    }
}
