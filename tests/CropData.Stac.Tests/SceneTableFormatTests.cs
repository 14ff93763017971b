using System.Text;
using CropData.Dataset.Scenes;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>The scene tables: selected_scenes.csv, scene_candidates.csv, tile_payloads.json, and the original's selected_tiles.csv.</summary>
public class SceneTableFormatTests
{
    private static IReadOnlyList<SelectedScene> ReferenceSelection() =>
        SceneSelector.SelectAll(ReferenceWorld.Instance.Value.Reference).SelectMany(t => t.Scenes).ToList();

    [Fact]
    public void Original_selected_tiles_csv_is_read_with_scene_ids_and_the_Fmask_asset_repr()
    {
        var scenes = ReferenceWorld.Instance.Value.Reference;
        Assert.Equal(1434, scenes.Count);
        Assert.Equal(1434, scenes.Select(s => s.SceneId).Distinct().Count());
        // The reference chips' scenes (reference README): 2022-03-15, 2022-06-28, 2022-09-16 of tile 14SPJ.
        var spj = scenes.Where(s => s.TileId == "14SPJ").OrderBy(s => s.Date).ToList();
        Assert.Equal(["HLS.S30.T14SPJ.2022074T171051.v2.0", "HLS.S30.T14SPJ.2022179T170859.v2.0", "HLS.S30.T14SPJ.2022259T170849.v2.0"],
            spj.Select(s => s.SceneId));
        Assert.Equal(new DateOnly(2022, 3, 15), spj[0].Date);
        Assert.All(scenes, s => Assert.Equal(7, s.HttpsLinks.Count));
        Assert.All(scenes, s => Assert.Equal(7, s.S3Links.Count));
        // The Fmask https link was written as "<Asset href=URL>" by the original; it is read as the URL.
        Assert.Equal($"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/{spj[0].SceneId}/{spj[0].SceneId}.Fmask.tif",
            spj[0].HttpsLinks["Fmask"]);
        Assert.StartsWith("s3:/HLSS30.020/", spj[0].S3Links["B8A"]);
    }

    [Fact]
    public void Selected_scenes_csv_is_sorted_by_tile_then_slot_and_round_trips()
    {
        var rows = ReferenceSelection();
        var text = SelectedScenesCsv.ToText(rows);
        var shuffled = SelectedScenesCsv.ToText(rows.OrderByDescending(r => r.Scene.SceneId).ToList());
        Assert.Equal(text, shuffled);
        var lines = text.Split('\n');
        Assert.Equal("tile_id,slot,title_id,date,cloud_cover,spatial_cover,https_links,s3_links", lines[0]);
        Assert.Equal(1434 + 2, lines.Length); // header + rows + the empty string after the last "\n"
        Assert.StartsWith("10SDJ,first,HLS.S30.T10SDJ.", lines[1]);
        Assert.StartsWith("10SDJ,middle,", lines[2]);
        Assert.StartsWith("10SDJ,last,", lines[3]);
        Assert.Contains(",\"{\"\"B02\"\":\"\"https://data.lpdaac", lines[1]);
        Assert.DoesNotContain('\r', text);

        var back = SelectedScenesCsv.Read(new StringReader(text), "mem");
        Assert.Equal(text, SelectedScenesCsv.ToText(back));
        Assert.Equal(rows.Count, back.Count);
        var r0 = back[0];
        var o0 = SelectedScenesCsv.Sort(rows)[0];
        Assert.Equal(o0.Scene.HttpsLinks, r0.Scene.HttpsLinks);
        Assert.Equal(o0.Scene.Date, r0.Scene.Date);
    }

    [Fact]
    public void Selected_scenes_file_is_byte_identical_across_writes()
    {
        using var tmp = new TempDir();
        var rows = ReferenceSelection();
        SelectedScenesCsv.WriteFile(tmp.Sub("a/selected_scenes.csv"), rows);
        SelectedScenesCsv.WriteFile(tmp.Sub("b/selected_scenes.csv"), rows.Reverse().ToList());
        var a = File.ReadAllBytes(tmp.Sub("a/selected_scenes.csv"));
        Assert.Equal(a, File.ReadAllBytes(tmp.Sub("b/selected_scenes.csv")));
        Assert.NotEqual(0xEF, a[0]); // no BOM
        Assert.Equal(1434, SelectedScenesCsv.ReadFile(tmp.Sub("a/selected_scenes.csv")).Count);
    }

    [Fact]
    public void A_tile_with_two_scenes_in_one_slot_is_refused()
    {
        var rows = ReferenceSelection().Take(3).ToList();
        var e = Assert.Throws<ArgumentException>(() => SelectedScenesCsv.ToText([.. rows, rows[1]]));
        Assert.Contains("two scenes in slot 2", e.Message);
    }

    [Fact]
    public void Malformed_rows_name_the_file_line_and_column()
    {
        var text = SelectedScenesCsv.ToText(ReferenceSelection().Take(3).ToList());
        var bad = text.Replace(",2022-", ",22-");
        var e = Assert.Throws<FormatException>(() => SelectedScenesCsv.Read(new StringReader(bad), "selected_scenes.csv"));
        Assert.Contains("selected_scenes.csv line 2 date", e.Message);
        var noSlot = text.Replace("tile_id,slot,", "tile_id,place,");
        var e2 = Assert.Throws<FormatException>(() => SelectedScenesCsv.Read(new StringReader(noSlot), "x.csv"));
        Assert.Contains("missing column(s) slot", e2.Message);
        var badSlot = text.Replace(",middle,", ",centre,");
        Assert.Contains("line 3: scene slot 'centre'", Assert.Throws<FormatException>(() => SelectedScenesCsv.Read(new StringReader(badSlot), "x.csv")).Message);
    }

    [Fact]
    public void Tile_selection_csv_gathered_from_per_tile_files_equals_the_table_of_all_tiles()
    {
        // The scenes stage writes one file per tile and gathers them into tile_selection.csv: reading the per-tile
        // files back and writing them as one table must give what one write of every tile gives.
        using var tmp = new TempDir();
        var scenes = ReferenceWorld.Instance.Value.AllScenes.ToList();
        // Plus a tile with only two scenes, which the rules drop.
        scenes.AddRange(scenes.Take(2).Select(s => s with { TileId = "99ZZZ" }));
        var tiles = SceneSelector.SelectAll(scenes);
        Assert.Contains(tiles, t => !t.IsSelected);
        var whole = new StringWriter { NewLine = "\n" };
        TileSelectionCsv.Write(whole, tiles);
        var rows = new List<TileSelectionRow>();
        foreach (var t in tiles.Reverse())
        {
            var file = tmp.Sub($"scenes/{t.TileId}.selection.csv");
            TileSelectionCsv.WriteFile(file, [t]);
            rows.AddRange(TileSelectionCsv.ReadFile(file));
        }
        Assert.Equal(whole.ToString(), TileSelectionCsv.ToText(rows));
        var dropped = rows.First(r => !r.IsSelected);
        Assert.Null(dropped.CoverageThreshold);
        Assert.NotEmpty(dropped.DropReason);
        var bad = TileSelectionCsv.ToText(rows.Take(1)).Replace(",true,", ",yes,").Replace(",false,", ",no,");
        File.WriteAllText(tmp.Sub("bad.csv"), bad);
        Assert.Contains("bad.csv line 2: selected = ", Assert.Throws<FormatException>(() => TileSelectionCsv.ReadFile(tmp.Sub("bad.csv"))).Message);
    }

    [Fact]
    public void Scene_issues_csv_is_sorted_and_round_trips()
    {
        SceneIssue[] issues =
        [
            new("14SPJ", "HLS.S30.T14SPJ.2022104T170851.v2.0", "CLOUD_COVERAGE missing"),
            new("13SFA", "", "tile dropped: fewer than 3 scenes"),
            new("14SPJ", "HLS.S30.T14SPJ.2022074T171051.v2.0", "band B03: the Easier STAC item has no asset 'B03', \"quoted\""),
        ];
        var text = SceneIssuesCsv.ToText(issues);
        Assert.StartsWith("tile_id,title_id,problem\n13SFA,,tile dropped", text);
        var back = SceneIssuesCsv.Read(new StringReader(text), "mem");
        Assert.Equal(SceneIssuesCsv.Sort(issues), back);
        Assert.Equal(text, SceneIssuesCsv.ToText(back.Reverse()));
    }

    [Fact]
    public void Scene_candidates_csv_round_trips_sorted_by_tile_date_id()
    {
        var world = ReferenceWorld.Instance.Value;
        var all = world.AllScenes.ToList();
        var text = SceneCandidatesCsv.ToText(all);
        var back = SceneCandidatesCsv.Read(new StringReader(text), "mem");
        Assert.Equal(all.Count, back.Count);
        Assert.Equal(text, SceneCandidatesCsv.ToText(back));
        var keys = back.Select(s => (s.TileId, s.Date, s.SceneId)).ToList();
        Assert.Equal(keys.OrderBy(k => k.TileId, StringComparer.Ordinal).ThenBy(k => k.Date).ThenBy(k => k.SceneId, StringComparer.Ordinal), keys);
        // Selecting from the re-read table gives the same answer as from the records.
        Assert.Equal(SelectedScenesCsv.ToText(SceneSelector.SelectAll(all).SelectMany(t => t.Scenes)),
            SelectedScenesCsv.ToText(SceneSelector.SelectAll(back).SelectMany(t => t.Scenes)));
    }

    [Fact]
    public void Tile_payloads_json_has_sorted_scene_keys_configured_band_order_and_round_trips()
    {
        var payloads = new Dictionary<string, IReadOnlyList<BandCid>>
        {
            ["HLS.S30.T18SVJ.2022170T154821.v2.0"] = [new("HLS.S30.T18SVJ.2022170T154821.v2.0.B8A.tif", "bafy2", "B8A"), new("HLS.S30.T18SVJ.2022170T154821.v2.0.B11.tif", "bafy3", "B11")],
            ["HLS.S30.T18SVJ.2022070T155051.v2.0"] = [new("HLS.S30.T18SVJ.2022070T155051.v2.0.B02.tif", "bafy1", "B02")],
        };
        var bytes = TilePayloadsJson.ToBytes(payloads);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.True(text.IndexOf("2022070T155051", StringComparison.Ordinal) < text.IndexOf("2022170T154821", StringComparison.Ordinal));
        Assert.True(text.IndexOf(".B8A.tif", StringComparison.Ordinal) < text.IndexOf(".B11.tif", StringComparison.Ordinal));
        Assert.Contains("\"filename\": \"HLS.S30.T18SVJ.2022070T155051.v2.0.B02.tif\",\n      \"cid\": \"bafy1\",\n      \"band_name\": \"B02\"", text);
        Assert.EndsWith("}\n", text);
        var back = TilePayloadsJson.Parse(bytes, "mem");
        Assert.Equal(bytes, TilePayloadsJson.ToBytes(back));
        Assert.Equal("bafy3", back["HLS.S30.T18SVJ.2022170T154821.v2.0"][1].Cid);
        Assert.Contains("mem", Assert.Throws<FormatException>(() => TilePayloadsJson.Parse("{\"a\": 3}"u8, "mem")).Message);
    }

    [Fact]
    public void Scene_names_give_tile_date_and_band()
    {
        Assert.Equal("14SPJ", HlsNames.TileOfScene("HLS.S30.T14SPJ.2022074T171051.v2.0"));
        Assert.Equal(new DateOnly(2022, 3, 15), HlsNames.DateOfScene("HLS.S30.T14SPJ.2022074T171051.v2.0"));
        Assert.Equal("B02", HlsNames.BandOfFile("https://h/x/HLS.S30.T14SPJ.2022074T171051.v2.0.B02.tif"));
        Assert.Equal("Fmask", HlsNames.BandOfFile("HLS.S30.T14SPJ.2022074T171051.v2.0.Fmask.tif?x=1"));
        Assert.Equal("14SPJ", HlsNames.NormalizeTile("T14SPJ"));
        Assert.Equal("14SPJ", HlsNames.NormalizeTile("14spj"));
        Assert.Throws<FormatException>(() => HlsNames.TileOfScene("nonsense"));
    }

    [Fact]
    public void Tile_selection_report_lists_drops_with_reasons()
    {
        var dropped = SceneSelector.SelectTile("01SBS", []);
        var kept = SceneSelector.SelectAll(ReferenceWorld.Instance.Value.Reference.Where(s => s.TileId == "14SPJ")).Single();
        var sw = new StringWriter();
        TileSelectionCsv.Write(sw, [kept, dropped]);
        var lines = sw.ToString().Split('\n');
        Assert.Equal("tile_id,candidates,after_cloud,coverage_threshold,after_coverage,selected,drop_reason", lines[0]);
        Assert.Equal("01SBS,0,0,,0,false,no scenes found", lines[1]);
        Assert.StartsWith("14SPJ,3,3,", lines[2]);
        Assert.EndsWith(",3,true,", lines[2]);
    }
}
