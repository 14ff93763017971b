using CropData.Dataset.Scenes;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>Spec stages 4-5 (filter, select) on hand-made cases and on the original's real output.</summary>
public class SceneSelectionTests
{
    private static SceneRecord S(string tile, string date, int cloud, int cover, string time = "170000")
    {
        var d = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var id = $"HLS.S30.T{tile}.{d.Year:0000}{d.DayOfYear:000}T{time}.v2.0";
        return SceneRecord.Create(id, d, cloud, cover, [new("B02", $"https://x/{id}.B02.tif")], [new("B02", $"s3://x/{id}.B02.tif")]);
    }

    private static string[] Ids(TileSelection t) => t.Scenes.Select(s => s.Scene.SceneId).ToArray();

    [Fact]
    public void Three_scenes_are_first_middle_last_by_date_whatever_the_input_order()
    {
        var a = S("14SPJ", "2022-03-15", 0, 100);
        var b = S("14SPJ", "2022-06-28", 1, 100);
        var c = S("14SPJ", "2022-09-16", 2, 100);
        var t = SceneSelector.SelectTile("T14SPJ", [c, a, b]);
        Assert.Equal("14SPJ", t.TileId);
        Assert.Equal([a.SceneId, b.SceneId, c.SceneId], Ids(t));
        Assert.Equal([SceneSlot.First, SceneSlot.Middle, SceneSlot.Last], t.Scenes.Select(s => s.Slot));
        Assert.Equal(100, t.CoverageThreshold);
    }

    [Fact]
    public void Three_evenly_spaced_picks_are_exactly_first_n_div_2_and_last_for_every_n()
    {
        for (int n = 3; n <= 40; n++) Assert.Equal([0, n / 2, n - 1], SceneSelector.Picks(n, 3));
    }

    [Theory]
    [InlineData(4, 4, new[] { 0, 1, 2, 3 })]
    [InlineData(5, 4, new[] { 0, 1, 3, 4 })]
    [InlineData(9, 4, new[] { 0, 3, 6, 8 })]
    [InlineData(7, 2, new[] { 0, 6 })]
    [InlineData(7, 1, new[] { 3 })]
    public void N_picks_are_evenly_spaced_distinct_and_keep_the_first_and_last(int n, int dates, int[] expected)
    {
        Assert.Equal(expected, SceneSelector.Picks(n, dates));
        Assert.Equal(dates, expected.Distinct().Count());
    }

    [Fact]
    public void Four_scenes_per_chip_need_four_scenes_and_name_their_slots_date1_to_date4()
    {
        var s = new[] { S("14SPJ", "2022-03-01", 0, 100), S("14SPJ", "2022-05-01", 0, 100), S("14SPJ", "2022-07-01", 0, 100), S("14SPJ", "2022-09-01", 0, 95) };
        var rules = new SelectionRules { ScenesPerChip = 4 };
        var t = SceneSelector.SelectTile("14SPJ", s, rules);
        Assert.Equal(s.Select(x => x.SceneId), Ids(t));
        Assert.Equal(90, t.CoverageThreshold); // 100 leaves three: not enough for four dates
        Assert.Contains("date1", SelectedScenesCsv.ToText(t.Scenes));
        Assert.Contains("4 are needed", SceneSelector.SelectTile("14SPJ", s[..3], rules).DropReason);
    }

    [Fact]
    public void Even_n_takes_element_n_div_2_the_later_central_scene()
    {
        var s = new[] { S("14SPJ", "2022-03-01", 0, 100), S("14SPJ", "2022-04-01", 0, 100), S("14SPJ", "2022-05-01", 0, 100), S("14SPJ", "2022-06-01", 0, 100) };
        var t = SceneSelector.SelectTile("14SPJ", s);
        Assert.Equal(s[2].SceneId, t.Scenes[1].Scene.SceneId); // index 4 // 2 = 2, not 1
        Assert.Equal(s[3].SceneId, t.Scenes[2].Scene.SceneId);
    }

    [Fact]
    public void Same_date_scenes_are_ordered_by_scene_id()
    {
        // Two orbits on the first date and two on the last: first = smaller id, last = larger id; n = 5 → middle index 2.
        var early1 = S("15TVG", "2022-04-02", 0, 100, "171901");
        var early2 = S("15TVG", "2022-04-02", 0, 100, "165859");
        var mid = S("15TVG", "2022-06-10", 0, 100);
        var late1 = S("15TVG", "2022-09-01", 0, 100, "170001");
        var late2 = S("15TVG", "2022-09-01", 0, 100, "180001");
        var t = SceneSelector.SelectTile("15TVG", [late2, mid, early1, late1, early2]);
        Assert.Equal([early2.SceneId, mid.SceneId, late2.SceneId], Ids(t));
        // A tie at the middle position: n = 4, element 2 is the larger id of the tied pair.
        var m1 = S("15TVG", "2022-06-10", 0, 100, "100000");
        var m2 = S("15TVG", "2022-06-10", 0, 100, "200000");
        var t2 = SceneSelector.SelectTile("15TVG", [m2, early1, late1, m1]);
        Assert.Equal(m2.SceneId, t2.Scenes[1].Scene.SceneId);
    }

    [Fact]
    public void Two_scenes_only_drop_the_tile_with_the_reason()
    {
        var t = SceneSelector.SelectTile("16TCR", [S("16TCR", "2022-03-02", 0, 100), S("16TCR", "2022-05-02", 1, 100)]);
        Assert.False(t.IsSelected);
        Assert.Empty(t.Scenes);
        Assert.Null(t.CoverageThreshold);
        Assert.Contains("only 2 of 2 scenes", t.DropReason);
        Assert.Contains("3 are needed", t.DropReason);
        Assert.Equal("no scenes found", SceneSelector.SelectTile("16TCR", []).DropReason);
    }

    [Fact]
    public void Coverage_that_reaches_three_scenes_only_at_60_percent_selects_at_60()
    {
        var s = new[]
        {
            S("17TPJ", "2022-03-10", 0, 100), S("17TPJ", "2022-05-10", 0, 65), S("17TPJ", "2022-07-10", 0, 61),
            S("17TPJ", "2022-08-10", 0, 40),
        };
        var t = SceneSelector.SelectTile("17TPJ", s);
        Assert.Equal(60, t.CoverageThreshold);
        Assert.Equal(3, t.AfterCoverageCount);
        Assert.Equal([s[0].SceneId, s[1].SceneId, s[2].SceneId], Ids(t));
        // Below 50 % nothing counts: with the 61 % scene at 49 % the tile never reaches 3 and is dropped.
        var dropped = SceneSelector.SelectTile("17TPJ", [s[0], s[1], s[2] with { SpatialCover = 49 }, s[3]]);
        Assert.False(dropped.IsSelected);
        Assert.Contains("spatial coverage ≥ 50 %", dropped.DropReason);
    }

    [Fact]
    public void The_first_threshold_with_three_scenes_wins_even_if_a_lower_one_has_more()
    {
        var s = new[]
        {
            S("18TWN", "2022-03-10", 0, 95), S("18TWN", "2022-04-10", 0, 92), S("18TWN", "2022-05-10", 0, 91),
            S("18TWN", "2022-06-10", 0, 85), S("18TWN", "2022-09-20", 0, 85),
        };
        var t = SceneSelector.SelectTile("18TWN", s);
        Assert.Equal(90, t.CoverageThreshold);
        Assert.Equal(s[2].SceneId, t.Scenes[2].Scene.SceneId); // the 85 % scenes of later dates are not candidates
    }

    [Fact]
    public void Cloud_cover_exactly_at_the_threshold_is_kept_one_above_is_not()
    {
        var s = new[] { S("13TDE", "2022-03-10", 5, 100), S("13TDE", "2022-05-10", 6, 100), S("13TDE", "2022-07-10", 5, 100), S("13TDE", "2022-08-10", 0, 100) };
        var t = SceneSelector.SelectTile("13TDE", s);
        Assert.Equal(3, t.AfterCloudCount);
        Assert.DoesNotContain(s[1].SceneId, Ids(t));
        Assert.Equal([s[0].SceneId, s[2].SceneId, s[3].SceneId], Ids(t));
        var strict = SceneSelector.SelectTile("13TDE", s, new SelectionRules { CloudCoverThreshold = 4 });
        Assert.False(strict.IsSelected);
        Assert.Equal(1, strict.AfterCloudCount);
    }

    [Fact]
    public void A_scene_listed_twice_counts_once_and_a_foreign_tile_is_refused()
    {
        var a = S("14SPJ", "2022-03-15", 0, 100);
        var b = S("14SPJ", "2022-06-28", 0, 100);
        var t = SceneSelector.SelectTile("14SPJ", [a, b, a, b]);
        Assert.False(t.IsSelected); // the original counted 4 rows here and picked a scene twice
        Assert.Equal(2, t.CandidateCount);
        var e = Assert.Throws<ArgumentException>(() => SceneSelector.SelectTile("14SPJ", [a, S("14SPK", "2022-04-01", 0, 100)]));
        Assert.Contains("HLS.S30.T14SPK", e.Message);
    }

    [Fact]
    public void Reference_output_fed_back_selects_all_1434_scenes_again()
    {
        var world = ReferenceWorld.Instance.Value;
        Assert.Equal(1434, world.Reference.Count);
        var tiles = SceneSelector.SelectAll(world.Reference);
        Assert.Equal(478, tiles.Count);
        Assert.All(tiles, t => Assert.True(t.IsSelected, t.TileId + ": " + t.DropReason));
        AssertSameAsReference(world, tiles);
    }

    [Fact]
    public void Reference_output_with_distractors_selects_the_same_1434_scenes()
    {
        var world = ReferenceWorld.Instance.Value;
        var usable = world.AllScenes.Where(s => !world.IsMalformed(s.SceneId) && s.Date <= new DateOnly(2022, 9, 30)).ToList();
        Assert.True(usable.Count > 1434 * 2);
        var tiles = SceneSelector.SelectAll(usable);
        AssertSameAsReference(world, tiles);
        // The tie distractors really were candidates: every tile kept 5 scenes after the coverage cascade.
        Assert.All(tiles, t => Assert.Equal(5, t.AfterCoverageCount));
    }

    internal static void AssertSameAsReference(ReferenceWorld world, IReadOnlyList<TileSelection> tiles)
    {
        var selected = tiles.SelectMany(t => t.Scenes).ToList();
        Assert.Equal(1434, selected.Count);
        foreach (var group in world.Reference.GroupBy(s => s.TileId))
        {
            var expected = group.OrderBy(s => s.Date).ToList();
            var got = tiles.Single(t => t.TileId == group.Key).Scenes;
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(expected[i].SceneId, got[i].Scene.SceneId);
                Assert.Equal(expected[i].Date, got[i].Scene.Date);
                Assert.Equal(expected[i].CloudCover, got[i].Scene.CloudCover);
                Assert.Equal(expected[i].SpatialCover, got[i].Scene.SpatialCover);
                Assert.Equal(expected[i].HttpsLinks, got[i].Scene.HttpsLinks);
                Assert.Equal(expected[i].S3Links, got[i].Scene.S3Links);
            }
        }
    }
}
