using System.Security.Cryptography;
using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;
using CropData.Dataset.Scenes;
using CropData.Gdal;
using CropData.Graph;
using CropData.Ipfs.Import;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 8: `./build.sh` on the embedded sample runs every stage and yields the chip set the generator's
/// placed clouds, snow and NA patch imply (SampleGenerator.Patches).
/// </summary>
public class SampleDatasetTests(BuiltSample sample) : IClassFixture<BuiltSample>
{
    private SampleBuild B => sample.Build;

    private static readonly string[] AllChips =
        [.. from r in Enumerable.Range(201, 4) from c in Enumerable.Range(335, 4) select $"chip_{r}_{c}"];

    [Fact]
    public void Every_stage_ran_and_nothing_failed()
    {
        var r = sample.First;
        Assert.Empty(r.Failures);
        foreach (var task in new[] { "sample-data", "aoi", "tiles", "search", "scenes", "cids", "reproject", "chips", "filter", "split", "stats", "report", "export" })
            Assert.True(r.Task(task)!.Built > 0, $"task {task} built nothing");
        // download.mode ranges (the default): every band has a CID, so stage 7 fetches nothing whole and stage 8 reads
        // the blocks its 84 units (21 scene-bands x 4 chip rows) need.
        Assert.Equal(0, r.Task("download")!.Built);
        Assert.False(Directory.Exists(B.File("tiles")));
        Assert.Equal(84, r.Task("reproject")!.Built);
        Assert.Equal(16, r.Task("chips")!.Built);
    }

    [Fact]
    public void Chip_set_follows_the_placed_clouds_snow_and_na_patch()
    {
        var rows = TrackChipsCsv.Read(B.File("track_chips.csv")).ToDictionary(r => r.ChipId);
        // chip_204_338: snow over the whole chip on the third date -> no valid pixel -> skipped (spec stage 9)
        Assert.DoesNotContain("chip_204_338", rows.Keys);
        Assert.Equal(15, rows.Count);
        // chip_201_338: a cloud over ~24 % of the chip on the second date -> rejected by bad_pct_max >= 5
        Assert.True(rows["chip_201_338"].BadPctMax >= 5, $"bad_pct_max = {rows["chip_201_338"].BadPctMax}");
        Assert.True(rows["chip_201_338"].BadPct[1] >= 5);
        Assert.Equal(0, rows["chip_201_338"].NaCount);
        // chip_204_336: -1000 in B11 of the third scene -> rejected by na_count > 0
        Assert.True(rows["chip_204_336"].NaCount > 1000, $"na_count = {rows["chip_204_336"].NaCount}");
        // chip_202_335: a small shadow (~1.6 %) -> kept with a non-zero bad_pct on the first date
        Assert.InRange(rows["chip_202_335"].BadPct[0], 0.5, 4.99);
        var kept = Directory.GetFiles(B.File("chips_filtered"), "*_merged.tif").Select(f => Path.GetFileName(f)[..12]).Order().ToList();
        Assert.Equal(AllChips.Except(["chip_204_338", "chip_201_338", "chip_204_336"]).Order().ToList(), kept);
        // The three chips of the published dataset are kept.
        Assert.Contains("chip_203_335", kept);
        Assert.Contains("chip_202_336", kept);
        Assert.Contains("chip_203_337", kept);
    }

    [Fact]
    public void Selection_picks_the_three_real_scenes_and_no_decoy()
    {
        var selected = SelectedScenesCsv.ReadFile(B.File("selected_scenes.csv"));
        Assert.Equal(
            ["HLS.S30.T14SPJ.2022074T171051.v2.0", "HLS.S30.T14SPJ.2022179T170859.v2.0", "HLS.S30.T14SPJ.2022259T170849.v2.0"],
            selected.Select(s => s.Scene.SceneId).ToArray());
        Assert.Equal([SceneSlot.First, SceneSlot.Middle, SceneSlot.Last], selected.Select(s => s.Slot).ToArray());
        Assert.Equal(6, SceneCandidatesCsv.ReadFile(B.File("scene_candidates.csv")).Count); // 3 real + 3 decoys
        // How the rules went for the one tile: 6 candidates, the cloudy decoy out, the low-coverage ones out at 100 %.
        var tile = Assert.Single(TileSelectionCsv.ReadFile(B.File("tile_selection.csv")));
        Assert.Equal("14SPJ", tile.TileId);
        Assert.Equal(6, tile.CandidateCount);
        Assert.True(tile.IsSelected);
        Assert.True(tile.AfterCloudCount < 6, $"after_cloud = {tile.AfterCloudCount}: the cloudy decoy should be filtered out");
        Assert.True(tile.AfterCoverageCount >= 3 && tile.CoverageThreshold is not null, tile.ToString());
        // Nothing in the sample is broken, so the issues table holds its header only.
        Assert.Equal("tile_id,title_id,problem\n", File.ReadAllText(B.File("scene_issues.csv")));
    }

    [Fact]
    public void Chip_files_have_the_spec_shape_on_the_cdl_grid()
    {
        const string chip = "chip_203_335";
        double left = -2356095 + 335 * 6720.0, top = 3172605 - 203 * 6720.0;
        using (var merged = RasterDataset.Open(B.File($"chips/{chip}_merged.tif")))
        {
            Assert.Equal((224, 224, 18), (merged.Width, merged.Height, merged.BandCount));
            Assert.Equal(RasterDataType.Int16, merged.DataType(1));
            Assert.Equal(5070, merged.Epsg);
            Assert.Equal(GeoTransform.NorthUp(left, top, 30), merged.GeoTransform);
            for (int b = 1; b <= 18; b++)
                Assert.True(merged.ReadBand<short>(b).All(v => v >= 0), $"band {b} holds negative values (spec: clipped to 0)");
        }
        using (var mask = RasterDataset.Open(B.File($"chips/{chip}.mask.tif")))
        {
            Assert.Equal((224, 224, 1), (mask.Width, mask.Height, mask.BandCount));
            Assert.Equal(RasterDataType.Byte, mask.DataType(1));
            Assert.NotNull(mask.ColorTable(1));
            Assert.All(mask.ReadBand<byte>(1), v => Assert.InRange(v, (byte)0, (byte)13));
        }
        using var fmask = RasterDataset.Open(B.File($"chips_fmask/{chip}_Fmask.tif"));
        Assert.Equal((224, 224, 3), (fmask.Width, fmask.Height, fmask.BandCount));
        Assert.Equal(RasterDataType.Byte, fmask.DataType(1));
    }

    [Fact]
    public async Task Every_downloaded_band_has_the_cid_of_the_catalog()
    {
        // download.mode whole: the band files are in tiles/ (the default reads them by block, stage 8).
        var whole = Path.Combine(await SampleBuild.WholeTemplateDataDir(), "training_datasets", "sample");
        var payloads = TilePayloadsJson.ReadFile(B.File("tile_payloads.json"));
        Assert.Equal(File.ReadAllBytes(B.File("tile_payloads.json")), File.ReadAllBytes(Path.Combine(whole, "tile_payloads.json")));
        Assert.Equal(3, payloads.Count);
        foreach (var (scene, bands) in payloads)
        {
            Assert.Equal(7, bands.Count);
            foreach (var band in bands)
                Assert.Equal(band.Cid, CidCalculator.ForFile(Path.Combine(whole, $"tiles/{scene}/{band.Filename}")));
        }
    }

    [Fact]
    public void Statistics_equal_a_brute_force_computation_over_the_filtered_chips() => GlobalStatsCheck.AssertMatchesChips(B.File(""), bandKinds: 6);

    [Fact]
    public void Report_and_release_layouts_are_complete()
    {
        var html = File.ReadAllText(B.File("report/index.html"));
        foreach (var chip in AllChips.Except(["chip_204_338"]))
        {
            Assert.Contains(chip, html);
            Assert.True(File.Exists(B.File($"report/chips/{chip}.png")), $"quicklook of {chip} missing");
        }
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        // Issue 19: a class with a handful of pixels is named (report.min_class_pixels, default 1000).
        Assert.Contains("class 11 (Cotton) has only 4 pixels in the kept chips", html);
        var train = File.ReadAllLines(B.File("export/huggingface/training_data.txt")).Length;
        var val = File.ReadAllLines(B.File("export/huggingface/validation_data.txt")).Length;
        Assert.Equal(13, train + val);
        Assert.Equal((10, 3), (train, val)); // docs/PIPELINE.md stage 11, split.method exact: floor(0.8 * 13) = 10 in train
        Assert.Equal(13, Directory.GetFiles(B.File("export/huggingface/training_chips"), "*_merged.tif").Length
                         + Directory.GetFiles(B.File("export/huggingface/validation_chips"), "*_merged.tif").Length);
        Assert.True(File.Exists(B.File("export/baseline/baseline_config.yaml")));
    }

    // Issue 19: masks and chips that explain themselves, read back with gdalinfo as a user would.
    [Fact]
    public async Task Gdalinfo_shows_the_mask_classes_with_their_colours_and_the_merged_bands_with_their_dates()
    {
        static async Task<System.Text.Json.Nodes.JsonNode> GdalInfo(string path)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("gdalinfo", ["-json", path]) { RedirectStandardOutput = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
            return System.Text.Json.Nodes.JsonNode.Parse(text)!;
        }
        var mask = (await GdalInfo(B.File("chips/chip_202_336.mask.tif")))["bands"]![0]!;
        var names = mask["metadata"]![""]!.AsObject();
        Assert.Equal("Corn", (string)names["CLASS_3"]!);
        Assert.Equal("Soybeans", (string)names["CLASS_4"]!);
        Assert.Equal(14, names.Count(kv => kv.Key.StartsWith("CLASS_", StringComparison.Ordinal)));
        var corn = mask["colorTable"]!["entries"]![3]!.AsArray().Select(v => (int)v!).ToArray();
        Assert.Equal([255, 211, 0, 255], corn); // the report's Corn yellow, not CDL code 3's (rice) blue

        var merged = await GdalInfo(B.File("chips/chip_202_336_merged.tif"));
        var descriptions = merged["bands"]!.AsArray().Select(bnd => (string)bnd!["description"]!).ToList();
        Assert.Equal(18, descriptions.Count);
        Assert.Equal("B02 2022-03-15", descriptions[0]);
        Assert.Equal("B12 2022-09-16", descriptions[17]);
        Assert.Equal("HLS.S30.T14SPJ.2022074T171051.v2.0,HLS.S30.T14SPJ.2022179T170859.v2.0,HLS.S30.T14SPJ.2022259T170849.v2.0",
            (string)merged["metadata"]![""]!["SCENE_IDS"]!);
    }

    // Issue 19: the export opens in the consumer's loader. TerraTorch installs only from PyPI, which is not reachable
    // here: tools/loader-check applies the file rules of its MultiTemporalCropClassification with Debian's rasterio.
    [Fact]
    public async Task The_huggingface_export_loads_by_the_rules_of_terratorch_multi_temporal_crop_classification()
    {
        string script = Path.Combine(SampleBuild.RepoRoot(), "tools", "loader-check", "check_export.py");
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", [script, B.File("export/huggingface")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, stdout + stderr);
        var r = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        var (train, val) = (File.ReadAllLines(B.File("train_ids.csv")).Length - 1, File.ReadAllLines(B.File("val_ids.csv")).Length - 1);
        Assert.Equal(train, (int)r["train"]!["samples"]!);
        Assert.Equal(val, (int)r["val"]!["samples"]!);
        Assert.Equal(18, (int)r["train"]!["bands"]!);
        Assert.Equal([6, 3, 224, 224], r["train"]!["image_shape"]!.AsArray().Select(v => (int)v!));
        Assert.All(r["train"]!["classes"]!.AsArray().Select(v => (int)v!), c => Assert.InRange(c, 0, 13));
        Assert.Contains(3, r["train"]!["classes"]!.AsArray().Select(v => (int)v!)); // Corn
        // Temporal coordinates (year, day of year - 1) of the sample's dates 2022-03-15, 06-28, 09-16.
        Assert.Equal("[[2022,73],[2022,178],[2022,258]]", r["train"]!["temporal_coords"]!.ToJsonString());
        Assert.Equal("chip_id,tile,first_img_date,middle_img_date,last_img_date", File.ReadLines(B.File("export/huggingface/chips_df.csv")).First());
        var card = File.ReadAllText(B.File("export/huggingface/README.md"));
        Assert.StartsWith("---\nlicense: cc-by-4.0\n", card);
        Assert.Contains("| 3 | Corn |", card);
    }

    [Fact]
    public async Task Second_build_is_a_no_op_that_rewrites_nothing()
    {
        var before = Snapshot(B.Dataset);
        var r = await B.BuildOkAsync();
        Assert.True(r.Tasks.Where(t => t.IsUnitTask).All(t => t.Built == 0 && t.Failed == 0),
            string.Join(", ", r.Tasks.Where(t => t.Built > 0).Select(t => $"{t.Name}: {t.Built} built")));
        var after = Snapshot(B.Dataset);
        var changed = after.Where(kv => !before.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => kv.Key).ToList();
        Assert.True(changed.Count == 0 && before.Count == after.Count, "rewritten by a no-op build: " + string.Join(", ", changed));
    }

    [Fact]
    public async Task Verify_passes_on_the_build_and_names_a_changed_chip()
    {
        var (ok, _) = await B.RunAsync("--target=verify");
        Assert.Equal(0, ok.ExitCode);
    }

    internal static SortedDictionary<string, (long, DateTime)> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.build{Path.DirectorySeparatorChar}"))
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f))), StringComparer.Ordinal);
}
