using System.Diagnostics;
using Xunit.Abstractions;

namespace CropData.Geo.Tests;

[Collection("grid")]
public class TileAssignerTests(GridFixture f, ITestOutputHelper log)
{
    private ChipGrid Grid => f.Grid;

    [Theory]
    [InlineData("chip_184_236", "13TDE")]
    [InlineData("chip_203_335", "14SPJ")]
    [InlineData("chip_202_336", "14SPJ")]
    public void Known_chips_get_the_original_tile(string chip, string tile)
    {
        lock (f.Lock)
        {
            Assert.Equal(tile, f.Assigner.NearestCentroid(Grid[chip]));
            Assert.Equal(tile, f.Assigner.Containing(Grid[chip]));
        }
    }

    [Fact]
    public void Footprint_of_14SPJ_contains_chip_203_335_and_not_a_chip_200_km_away()
    {
        lock (f.Lock)
        {
            var a = f.Assigner;
            var near = Grid["chip_203_335"];
            Assert.True(a.FootprintContains("14SPJ", near));
            Assert.True(a.FootprintContains("T14SPJ", near));
            var far = Grid.Chips
                .Select(c => (c, d: c.Center5070.Distance(near.Center5070)))
                .Where(x => x.d is > 190_000 and < 210_000)
                .OrderBy(x => x.c.Id, StringComparer.Ordinal).First().c;
            Assert.False(a.FootprintContains("14SPJ", far), $"{far.Id} is ~200 km away but inside 14SPJ's footprint");
            var sq = a.FootprintUtm("14SPJ")!;
            Assert.Equal(TileAssigner.TileSizeMetres, sq.Width, 6);
            Assert.Equal(TileAssigner.TileSizeMetres, sq.Height, 6);
        }
    }

    [Fact]
    public void Footprint_approximation_is_within_50_m_of_a_real_hls_tile()
    {
        // Geotransform of data/reference/hls/HLS.S30.T13RCN.2024128T173909.v2.0.Fmask.tif (EPSG:32613):
        // origin (300000, 3300000), 3660 x 3660 px of 30 m → x 300000..409800, y 3190200..3300000.
        lock (f.Lock)
        {
            var sq = f.Assigner.FootprintUtm("13RCN")!;
            Assert.Equal(32613, MgrsTile.Parse("13RCN").UtmEpsg);
            Assert.InRange(sq.MinX - 300_000, -50, 50);
            Assert.InRange(sq.MaxY - 3_300_000, -50, 50);
            Assert.InRange(sq.MaxX - 409_800, -50, 50);
            Assert.InRange(sq.MinY - 3_190_200, -50, 50);
        }
    }

    [Fact]
    public void Nearest_centroid_agrees_with_the_original_for_4970_of_5000_chips()
    {
        // data/grid/original_chip_tiles.csv: the original run's chip → tile table (ClarkCGA data/chip_df.csv).
        var original = ChipTilesCsv.Read(RepoPaths.Data("data/grid/original_chip_tiles.csv"));
        Assert.Equal(5000, original.Count);
        lock (f.Lock)
        {
            var ours = f.Assigner.Assign(Grid.Chips);
            var diff = TileAssigner.Compare(ours, original);
            log.WriteLine($"nearest-centroid vs original: {5000 - diff.Count}/5000 agree ({100.0 * (5000 - diff.Count) / 5000:F1} %)");
            Assert.Equal(30, diff.Count);
            // Every disagreement is a near-tie between overlapping tiles: both footprints hold the chip.
            foreach (var d in diff)
            {
                Assert.True(f.Assigner.FootprintContains(d.TileA, Grid[d.ChipId]), $"{d.ChipId}: ours {d.TileA}");
                Assert.True(f.Assigner.FootprintContains(d.TileB, Grid[d.ChipId]), $"{d.ChipId}: original {d.TileB}");
            }
        }
    }

    [Fact]
    public void Containing_mode_moves_only_the_chips_given_the_misplaced_01SBS()
    {
        lock (f.Lock)
        {
            var cmp = f.Assigner.CompareModes(Grid.Chips);
            log.WriteLine($"containing vs nearest-centroid: {cmp.DifferentCount} of {cmp.ChipCount} chips differ; not contained: {cmp.NotContainedChipIds.Count}");
            foreach (var d in cmp.Differences) log.WriteLine($"  {d.ChipId}: {d.TileA} -> {d.TileB}");
            Assert.Equal(5000, cmp.ChipCount);
            Assert.Empty(cmp.NotContainedChipIds);
            Assert.Equal(["chip_282_079", "chip_283_079", "chip_284_079"], cmp.Differences.Select(d => d.ChipId));
            Assert.All(cmp.Differences, d => Assert.Equal(("01SBS", "11SPS"), (d.TileA, d.TileB)));
            // 01SBS's published centroid lies in California, 80 degrees from its UTM zone 1.
            Assert.Contains("01SBS", f.Assigner.SuspectTiles);
            Assert.Null(f.Assigner.FootprintUtm("01SBS"));
        }
    }

    [Fact]
    public void All_5000_chips_assign_in_both_modes()
    {
        lock (f.Lock)
        {
            using var fresh = new TileAssigner(f.Centroids);
            var sw = Stopwatch.StartNew();
            var nearest = fresh.Assign(Grid.Chips);
            var tNearest = sw.Elapsed;
            sw.Restart();
            var warnings = new List<string>();
            var containing = fresh.Assign(Grid.Chips, TileAssignmentMode.Containing, warnings.Add);
            log.WriteLine($"assigned 5000 chips: nearest-centroid {tNearest.TotalMilliseconds:F0} ms, containing {sw.Elapsed.TotalMilliseconds:F0} ms, {warnings.Count} fall-backs");
            Assert.Equal(5000, nearest.Count);
            Assert.Equal(5000, containing.Count);
            Assert.Equal(Grid.Chips.Select(c => c.Id), nearest.Select(t => t.ChipId));
            Assert.All(nearest, t => Assert.True(MgrsTile.TryParse(t.Tile, out _)));
        }
    }

    [Fact]
    public void Containing_mode_falls_back_to_nearest_with_a_warning()
    {
        // With only 14SPJ and 13TDE known, a Kansas chip 100 km outside 14SPJ has no containing tile.
        var few = f.Centroids.Where(c => c.TileId is "14SPJ" or "13TDE").ToList();
        using var a = new TileAssigner(few);
        var spj = a.FootprintUtm("14SPJ")!;
        var outside = Grid.Chips.First(c => c.Center5070.Distance(Grid["chip_203_335"].Center5070) is > 120_000 and < 300_000
                                          && !a.FootprintContains("14SPJ", c) && !a.FootprintContains("13TDE", c));
        var warnings = new List<string>();
        var r = a.Assign([outside, Grid["chip_203_335"]], TileAssignmentMode.Containing, warnings.Add);
        Assert.Single(warnings);
        Assert.Contains(outside.Id, warnings[0]);
        Assert.Contains("fell back", warnings[0]);
        Assert.Equal(a.NearestCentroid(outside), r.Single(t => t.ChipId == outside.Id).Tile);
        Assert.Equal("14SPJ", r.Single(t => t.ChipId == "chip_203_335").Tile);
        Assert.NotNull(spj);
    }

    [Fact]
    public void Equidistant_tiles_resolve_to_the_smaller_id()
    {
        var spj = f.Centroids.Single(c => c.TileId == "14SPJ");
        using var a = new TileAssigner([spj with { TileId = "14SPK" }, spj, spj with { TileId = "14SQJ" }]);
        Assert.Equal("14SPJ", a.NearestCentroid(Grid["chip_203_335"]));
    }

    [Fact]
    public void One_assigner_is_safe_to_share_between_threads()
    {
        using var shared = new TileAssigner(f.Centroids);
        var chips = Grid.Chips.Where((_, i) => i % 10 == 0).ToList();
        var expected = chips.Select(c => shared.Containing(c)).ToList();
        using var fresh = new TileAssigner(f.Centroids);
        var parallel = new string?[chips.Count];
        Parallel.For(0, chips.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            parallel[i] = fresh.Containing(chips[i]);
            _ = fresh.NearestCentroid(chips[i]);
            _ = fresh.FootprintUtm("14SPJ");
        });
        Assert.Equal(expected, parallel);
    }

    [Fact]
    public void Chips_built_from_an_id_match_the_published_grid()
    {
        // ChipFactory builds chips outside the 5,000 (e.g. aoi.chip_ids); check it against published ones.
        foreach (var id in new[] { "chip_184_236", "chip_203_335", "chip_421_329", "chip_002_060" })
        {
            var built = ChipFactory.FromId(id);
            var published = Grid[id];
            Assert.Equal(published.Footprint5070.EnvelopeInternal, built.Footprint5070.EnvelopeInternal);
            Assert.Equal(published.Center4326.X, built.Center4326.X, 6);
            Assert.Equal(published.Center4326.Y, built.Center4326.Y, 6);
            var a = published.Footprint4326.EnvelopeInternal;
            var b = built.Footprint4326.EnvelopeInternal;
            Assert.True(Math.Abs(a.MinX - b.MinX) < 1e-6 && Math.Abs(a.MaxY - b.MaxY) < 1e-6, $"{id}: {a} vs {b}");
            lock (f.Lock) Assert.Equal(f.Assigner.NearestCentroid(published), f.Assigner.NearestCentroid(built));
        }
        Assert.Same(Grid["chip_203_335"], ChipFactory.Resolve(Grid, "chip_203_335"));
        Assert.Equal("chip_500_500", ChipFactory.Resolve(Grid, "chip_500_500").Id);
    }

    [Theory]
    [InlineData("nearest-centroid", TileAssignmentMode.NearestCentroid)]
    [InlineData("Containing", TileAssignmentMode.Containing)]
    public void Modes_parse(string text, TileAssignmentMode mode) => Assert.Equal(mode, TileAssigner.ParseMode(text));

    [Fact]
    public void Unknown_mode_is_named() =>
        Assert.Contains("'nearest'", Assert.Throws<GeoInputException>(() => TileAssigner.ParseMode("nearest")).Message);

    [Theory]
    [InlineData("14SPJ", 14, true, 32614)]
    [InlineData("T14SPJ", 14, true, 32614)]
    [InlineData("01CCV", 1, false, 32701)]
    [InlineData("55HBU", 55, false, 32755)]
    public void Mgrs_ids_give_zone_and_hemisphere(string id, int zone, bool north, int epsg)
    {
        var t = MgrsTile.Parse(id);
        Assert.Equal((zone, north, epsg), (t.Zone, t.IsNorth, t.UtmEpsg));
        Assert.Equal(id.TrimStart('T'), t.Id);
    }

    [Theory]
    [InlineData("14IPJ")]
    [InlineData("61SPJ")]
    [InlineData("14spj")]
    [InlineData("14SP")]
    public void Bad_mgrs_ids_are_rejected(string id) => Assert.False(MgrsTile.TryParse(id, out _));
}
