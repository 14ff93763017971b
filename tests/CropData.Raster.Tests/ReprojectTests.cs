using System.Globalization;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster.Tests;

/// <summary>
/// Stage 8 on the full-size SYNTHETIC 14SPJ tile with the national CDL extent, i.e. the real ≈ 7485 x 7146 original
/// destination grid: chips must be bit-identical to the original's "whole grid, GDAL defaults, then clip".
/// </summary>
[Collection("synthetic tile")]
public class ReprojectTests(SyntheticTileFixture tile)
{
    private static readonly CdlRasterInfo National = Repo.NationalExtent;

    /// <summary>Every chip fully inside the destination grid (≈ 1000 chips, including those across the tile's edges).</summary>
    private static ChipId[] AllChips(DestinationGrid g)
    {
        var first = CdlGrid.ChipAt(g.Grid.Transform.OriginX, g.Grid.Transform.OriginY);
        var chips = new List<ChipId>();
        for (var r = first.Row; r < first.Row + 40; r++)
            for (var c = first.Col; c < first.Col + 40; c++)
            {
                var chip = new ChipId(r, c);
                var (l, b, rr, t) = CdlGrid.ChipBounds(chip);
                var gt = g.Grid.Transform;
                if (l >= gt.OriginX && t <= gt.OriginY && rr <= gt.OriginX + g.Width * 30 && b >= gt.OriginY - g.Height * 30)
                    chips.Add(chip);
            }
        return chips.ToArray();
    }

    private static void AssertChipsEqualWhole<T>(RasterDataset whole, DestinationGrid g, ReprojectedChips<T> chips) where T : unmanaged
    {
        var differing = new List<string>();
        foreach (var (chip, pixels) in chips.Pixels)
        {
            var w = g.ChipWindow(chip);
            var expected = whole.ReadWindow<T>(1, w.Column, w.Row, 224, 224);
            if (!expected.AsSpan().SequenceEqual(pixels)) differing.Add(chip.ToString());
        }
        Assert.True(differing.Count == 0, $"{differing.Count} of {chips.Pixels.Count} chips differ: {string.Join(", ", differing.Take(10))}");
    }

    [Fact]
    public void Original_mode_reflectance_chips_equal_the_whole_grid_default_warp()
    {
        var g = DestinationGrid.Original(tile.SourceGrid, National);
        var chips = AllChips(g);
        Assert.True(chips.Length > 900);
        using var whole = Warp.ToMemory(tile.B02[0], g.Grid, new WarpOptions { Resampling = Resampling.Bilinear });
        var got = ChipReprojector.Reproject<short>(tile.B02[0], Resampling.Bilinear, National, chips);
        Assert.Equal(-9999, got.NoData);
        Assert.Equal(chips.Length, got.Pixels.Count);
        AssertChipsEqualWhole(whole, g, got);
        // The set covers chips across the scene's edges (fill) and inside it (no fill).
        Assert.Contains(got.Pixels.Values, p => p.Contains((short)-9999) && p.Any(v => v > 0));
        Assert.Contains(got.Pixels.Values, p => !p.Contains((short)-9999));
    }

    [Fact]
    public void Original_mode_fmask_chips_equal_the_whole_grid_default_warp()
    {
        var g = DestinationGrid.Original(tile.SourceGrid, National);
        var chips = AllChips(g);
        using var whole = Warp.ToMemory(tile.Fmask[1], g.Grid, new WarpOptions { Resampling = Resampling.Nearest });
        var got = ChipReprojector.Reproject<byte>(tile.Fmask[1], Resampling.Nearest, National, chips);
        Assert.Equal(255, got.NoData);
        AssertChipsEqualWhole(whole, g, got);
    }

    [Fact]
    public void Original_mode_equals_the_gdalwarp_tool_on_the_whole_grid()
    {
        // Independent of our P/Invoke layer: the gdalwarp program with its defaults, as the original's GDAL call.
        using var tmp = new TempDir();
        var g = DestinationGrid.Original(tile.SourceGrid, National);
        var gt = g.Grid.Transform;
        var te = string.Join(' ', new[] { gt.OriginX, gt.OriginY - g.Height * 30, gt.OriginX + g.Width * 30, gt.OriginY }
            .Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var reference = tmp.File("whole.tif");
        Repo.Run("gdalwarp", $"-q -r bilinear -t_srs EPSG:5070 -te {te} -ts {g.Width} {g.Height} \"{tile.B02[2]}\" \"{reference}\"");
        using var whole = RasterDataset.Open(reference);
        // Chip rows across the scene's top and bottom edges and through its middle.
        var chips = AllChips(g).Where(c => c.Row is 195 or 196 or 203 or 211 or 212).ToArray();
        var got = ChipReprojector.Reproject<short>(tile.B02[2], Resampling.Bilinear, National, chips);
        AssertChipsEqualWhole(whole, g, got);
    }

    [Fact]
    public void Exact_mode_chips_equal_the_whole_grid_exact_warp()
    {
        var g = DestinationGrid.Original(tile.SourceGrid, National);
        var chips = AllChips(g).Where(c => c.Row is 195 or 203 or 212).ToArray();
        using var whole = Warp.ToMemory(tile.B02[1], g.Grid,
            new WarpOptions { Resampling = Resampling.Bilinear, ExactTransform = true, FixedScale = true });
        var got = ChipReprojector.Reproject<short>(tile.B02[1], Resampling.Bilinear, National, chips, ReprojectMode.Exact);
        AssertChipsEqualWhole(whole, g, got);
        // And exact is a different warp from the original's: some chip differs.
        var original = ChipReprojector.Reproject<short>(tile.B02[1], Resampling.Bilinear, National, chips);
        Assert.Contains(chips, c => !original.Pixels[c].AsSpan().SequenceEqual(got.Pixels[c]));
    }

    [Fact]
    public void With_the_kansas_clip_the_grid_is_the_clip_and_chips_still_match()
    {
        var cdl = CdlRasterInfo.Read(Repo.KansasCdl);
        var g = DestinationGrid.Original(tile.SourceGrid, cdl);
        var chips = Enumerable.Range(201, 5).SelectMany(r => Enumerable.Range(335, 5).Select(c => new ChipId(r, c)))
            .Where(cdl.Contains).ToArray();
        Assert.Equal(16, chips.Length);
        using var whole = Warp.ToMemory(tile.B02[0], g.Grid, new WarpOptions { Resampling = Resampling.Bilinear });
        AssertChipsEqualWhole(whole, g, ChipReprojector.Reproject<short>(tile.B02[0], Resampling.Bilinear, cdl, chips));
    }

    [Fact]
    public void Whole_tile_baseline_clips_to_the_same_chips()
    {
        using var tmp = new TempDir();
        var cdl = CdlRasterInfo.Read(Repo.KansasCdl);
        var path = tmp.File("HLS.S30.T14SPJ.B02.reprojected.tif");
        ReprojectedTile.Write(tile.B02[0], Resampling.Bilinear, cdl, path);
        Assert.Contains("COMPRESSION=LZW", Repo.Run("gdalinfo", $"\"{path}\""));
        var chips = new[] { ChipId.Parse("chip_203_335"), ChipId.Parse("chip_202_336"), ChipId.Parse("chip_203_337") };
        var ours = ChipReprojector.Reproject<short>(tile.B02[0], Resampling.Bilinear, cdl, chips);
        foreach (var chip in chips)
            Assert.Equal(ReprojectedTile.ReadChip<short>(path, chip), ours.Pixels[chip]);
    }

    [Fact]
    public void Chip_outside_the_destination_grid_is_an_error_naming_it()
    {
        var e = Assert.Throws<RasterException>(() =>
            ChipReprojector.Reproject<short>(tile.B02[0], Resampling.Bilinear, National, [ChipId.Parse("chip_150_300")]));
        Assert.Contains("chip_150_300", e.Message);
    }

    [Fact]
    public void Reading_reflectance_as_bytes_is_rejected()
    {
        var e = Assert.Throws<GdalException>(() =>
            ChipReprojector.Reproject<byte>(tile.B02[0], Resampling.Bilinear, Repo.NationalExtent, [ChipId.Parse("chip_203_335")]));
        Assert.Contains("Int16", e.Message);
    }
}
