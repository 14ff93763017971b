using System.Text.Json.Nodes;
using CropData.Gdal;
using CropData.Dataset.Scenes;
using CropData.Graph;
using CropData.Ipfs.Car;
using Xunit.Abstractions;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Issue 11.3: each bad input gives one clear error (or, for a scene the catalog describes badly, one warning) that
/// names the thing and what was expected, and the build goes on where it can. <see cref="Table"/> is the list:
/// input → the fragment the message must hold. Config and AOI rows run on an empty data folder; catalog rows on a
/// fresh folder up to the download; raster and table rows on one shared folder built up to the chips.
/// </summary>
[Collection(InputsCollection.Name)]
public class BadInputTests(InputsFixture f, ITestOutputHelper output)
{
    public sealed record Row(string Input, string Expected);

    public static readonly IReadOnlyDictionary<string, Row> Table = new Dictionary<string, Row>
    {
        // Configuration: the host prints the ConfigException and exits 2 before touching the data folder.
        ["malformed yaml"] = new("config: 'train_dataset_name: [oops' (unclosed flow sequence)", ":2:21: '[' is never closed\n  2 | train_dataset_name: [oops"),
        ["yaml tab indent"] = new("config: a tab before 'max_bad_pct' on the last line", ": a tab in the indentation (YAML indents with spaces only)\n"),
        ["unknown key"] = new("config: top-level 'bogus_key: 1'", "unknown key 'bogus_key'; allowed here: aoi, bands"),
        ["unknown nested key"] = new("config: 'filter.max_bad_percent'", "unknown key 'filter.max_bad_percent'; allowed here: max_bad_pct, max_na_count"),
        ["wrong type"] = new("config: 'filter.max_bad_pct: lots'", "has the value 'lots' of the wrong type: expected a number"),
        ["out of range"] = new("config: 'selection.cloud_cover_threshold: 150'", "key 'selection.cloud_cover_threshold' = '150' is not allowed; expected an integer from 0 to 100"),
        ["unknown mode"] = new("config: 'reproject.mode: fastest'", "key 'reproject.mode' = 'fastest' is not allowed; expected original or exact"),
        ["unknown ipfs kind"] = new("config: ipfs source 'kind: ftp'", "key 'ipfs.sources[0].kind' = 'ftp' is not allowed; expected car, kubo, kubo-cat, gateway or trustless"),
        ["missing config"] = new("--config naming no file", "does not exist"),
        // AOI (spec stage 1).
        ["aoi point"] = new("aoi.geojson: a FeatureCollection holding a Point", "feature 0 is a Point; expected a Polygon or MultiPolygon"),
        ["aoi open ring"] = new("aoi.geojson: a Polygon whose ring is not closed", "is not valid GeoJSON: points must form a closed linestring"),
        ["aoi bowtie"] = new("aoi.geojson: a self-intersecting ring", "is not a valid polygon: Self-intersection"),
        ["aoi not json"] = new("aoi.geojson: a text file", "is not JSON"),
        ["aoi bad chip id"] = new("aoi.chip_ids: [chip_2x3, chip_201_335]", "'chip_2x3' is not a chip id: expected chip_RRR_CCC"),
        ["aoi chip off the cdl"] = new("aoi.chip_ids: [chip_999_999] (a chip id of South America)", "chip_999_999 not on the CDL raster data/cdl/2021_30m_cdls_kansas_clip.tif (it holds whole chips of rows 201-204, columns 335-338)"),
        // STAC catalogs (spec stages 3 and 6): the scene is reported, the build goes on without it.
        ["umm without cloud cover"] = new("CMR UMM-G of a candidate without CLOUD_COVERAGE", "CLOUD_COVERAGE missing"),
        ["item without umm link"] = new("CMR item without its .umm_json link", "the STAC item has no .umm_json link or asset"),
        ["umm bad sensing time"] = new("CMR UMM-G with SENSING_TIME 'yesterday'", "SENSING_TIME 'yesterday' does not start with a yyyy-MM-dd date"),
        ["easier item without band"] = new("Easier item of a selected scene without asset B03", "band B03: the Easier STAC item has no asset 'B03'"),
        ["easier href without cid"] = new("Easier asset B11 whose alternate.IPFS.href is 'ipfs://'", "band B11: alternate.IPFS.href 'ipfs://' has no CID segment"),
        ["easier scene missing"] = new("a selected scene absent from the Easier catalog", "scene is not in the Easier STAC catalog"),
        // Rasters and tables.
        ["cdl not a raster"] = new("cdl.path: a text file", "GDAL cannot open it as a raster"),
        ["cdl wrong crs"] = new("cdl.path: the CDL clip labelled EPSG:4326", "CDL raster must be EPSG:5070, it is EPSG:4326"),
        ["reclass missing columns"] = new("cdl.reclass_table with header 'old_class,new_class'", "header must name old_class_value and new_class_value"),
        ["track_chips missing columns"] = new("track_chips.csv cut to its first 3 columns", "header must be 'chip_id,tile,valid_first"),
        ["band float32"] = new("band file (verified by CID from a CAR) of type Float32", "band 1 is Float32, expected Int16"),
        ["band wrong crs"] = new("band file labelled EPSG:4326", "CRS is EPSG:4326, expected EPSG:32614"),
        ["band wrong size"] = new("band file with 60 m pixels", "pixels are 60 x 60 m, expected a north-up 30 m grid"),
        ["band truncated"] = new("band file cut after 100,000 bytes", "TIFFReadEncodedTile() failed"),
        ["fmask int16"] = new("Fmask file of type Int16", "band 1 is Int16, expected Byte"),
    };

    public static TheoryData<string> Rows() => [.. Table.Keys];

    private const string Selected2 = "HLS.S30.T14SPJ.2022179T170859.v2.0";
    private const string Selected3 = "HLS.S30.T14SPJ.2022259T170849.v2.0";

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Bad_input_gives_one_clear_error_and_the_build_goes_on_where_it_can(string row)
    {
        var expected = Table[row].Expected;
        output.WriteLine($"{row}: {Table[row].Input} -> '{expected}'");
        switch (row)
        {
            case "malformed yaml":
            {
                var w = new Workspace(f, "bad");
                File.WriteAllText(w.ConfigPath, $"data_dir: {w.DataDir}\ntrain_dataset_name: [oops\n");
                await ConfigErrorAsync(w, expected);
                break;
            }
            case "yaml tab indent": await ConfigErrorAsync(Fresh(extra: "filter:\n\tmax_bad_pct: 3"), expected); break;
            case "unknown key": await ConfigErrorAsync(Fresh(extra: "bogus_key: 1"), expected); break;
            case "unknown nested key": await ConfigErrorAsync(Fresh(extra: "filter:\n  max_bad_percent: 3"), expected); break;
            case "wrong type": await ConfigErrorAsync(Fresh(extra: "filter:\n  max_bad_pct: lots"), expected); break;
            case "out of range": await ConfigErrorAsync(Fresh(extra: "selection:\n  cloud_cover_threshold: 150"), expected); break;
            case "unknown mode": await ConfigErrorAsync(Fresh(extra: "reproject:\n  mode: fastest"), expected); break;
            case "unknown ipfs kind":
            {
                var w = new Workspace(f, "bad");
                w.WriteConfig(ipfs: "  sources:\n    - kind: ftp\n      url: ftp://127.0.0.1/\n");
                await ConfigErrorAsync(w, expected);
                break;
            }
            case "missing config":
            {
                var w = new Workspace(f, "bad");
                File.Delete(w.ConfigPath);
                await ConfigErrorAsync(w, expected);
                break;
            }

            case "aoi point":
                await AoiErrorAsync("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-97,39.3]}}]}""", expected);
                break;
            case "aoi open ring":
                await AoiErrorAsync("""{"type":"Polygon","coordinates":[[[-97.1,39.3],[-97.0,39.3],[-97.0,39.35],[-97.1,39.35]]]}""", expected);
                break;
            case "aoi bowtie":
                await AoiErrorAsync("""{"type":"Polygon","coordinates":[[[-97.1,39.3],[-97.0,39.35],[-97.0,39.3],[-97.1,39.35],[-97.1,39.3]]]}""", expected);
                break;
            case "aoi not json": await AoiErrorAsync("this is not json\n", expected); break;
            case "aoi bad chip id":
            {
                // Chip ids are configuration: checked before any stage runs (it used to fail the aoi stage only).
                var w = new Workspace(f, "bad");
                w.WriteConfig(aoi: "  chip_ids: [chip_2x3, chip_201_335]");
                await ConfigErrorAsync(w, expected);
                break;
            }
            case "aoi chip off the cdl":
            {
                var w = new Workspace(f, "bad");
                w.WriteConfig(aoi: "  chip_ids: [chip_999_999, chip_201_335]");
                await ConfigErrorAsync(w, expected);
                break;
            }

            case "umm without cloud cover":
                await CatalogWarningAsync(expected, "HLS.S30.T14SPJ.2022104T170851.v2.0", cat => EditJson(
                    Umm(cat, "HLS.S30.T14SPJ.2022104T170851.v2.0"),
                    j => j["AdditionalAttributes"] = new JsonArray(j["AdditionalAttributes"]!.AsArray()
                        .Where(a => (string)a!["Name"]! != "CLOUD_COVERAGE").Select(a => a!.DeepClone()).ToArray())));
                break;
            case "item without umm link":
                await CatalogWarningAsync(expected, "HLS.S30.T14SPJ.2022229T170851.v2.0", cat => EditJson(
                    CmrItem(cat, "HLS.S30.T14SPJ.2022229T170851.v2.0"),
                    j => j["links"] = new JsonArray(j["links"]!.AsArray().Where(l => (string)l!["rel"]! != "via").Select(l => l!.DeepClone()).ToArray())));
                break;
            case "umm bad sensing time":
                await CatalogWarningAsync(expected, "HLS.S30.T14SPJ.2022214T170849.v2.0", cat => EditJson(
                    Umm(cat, "HLS.S30.T14SPJ.2022214T170849.v2.0"),
                    j =>
                    {
                        foreach (var a in j["AdditionalAttributes"]!.AsArray())
                            if ((string)a!["Name"]! == "SENSING_TIME") a["Values"] = new JsonArray("yesterday");
                    }));
                break;
            case "easier item without band":
            {
                var w = await CatalogWorkspaceAsync(cat => EditJson(EasierItem(cat, Selected2), j => j["assets"]!.AsObject().Remove("B03")));
                var (r, log) = await w.RunInProcessAsync("--target=download");
                Assert.True(r.ExitCode == 0, log);
                var warning = Assert.Single(r.Warnings, x => x.Message.Contains(expected, StringComparison.Ordinal));
                Assert.Equal(("cids", Selected2), (warning.Task, warning.UnitId));
                // docs/PIPELINE.md stage 6: a band without a source leaves the tile out, said once; nothing is fetched
                // for a tile that cannot be built (before issue 18: 20 files fetched, then follow-on errors downstream).
                Assert.StartsWith($"tile 14SPJ not built: scene {Selected2} has no source for band(s) B03: ", warning.Message);
                Assert.Equal(0, r.Task("download")!.Built);
                Assert.Empty(r.Failures);
                Assert.Contains("\"band_name\": \"B03\"", File.ReadAllText(w.File($".build/work/cids/{Selected2}.json")));
                var issue = Assert.Single(SceneIssuesCsv.ReadFile(w.File("scene_issues.csv")));
                Assert.Equal(Selected2, issue.SceneId);
                Assert.Equal(warning.Message, issue.Problem);
                break;
            }
            case "easier href without cid":
            {
                var w = await CatalogWorkspaceAsync(cat => EditJson(EasierItem(cat, Selected3), j => j["assets"]!["B11"]!["alternate"]!["IPFS"]!["href"] = "ipfs://"));
                var (r, log) = await w.RunInProcessAsync("--target=download");
                Assert.True(r.ExitCode == 0, log);
                Assert.Single(r.Warnings, x => x.Message.Contains(expected, StringComparison.Ordinal) && x.UnitId == Selected3);
                Assert.Equal(0, r.Task("download")!.Built); // the tile is left out (stage 6), so nothing is fetched
                Assert.Empty(r.Failures);
                break;
            }
            case "easier scene missing":
            {
                var w = await CatalogWorkspaceAsync(cat =>
                {
                    Directory.Delete(Path.GetDirectoryName(EasierItem(cat, Selected2))!, recursive: true);
                    EditJson(Path.Combine(cat, "easier", "HLSS30", "collection.json"), j => j["links"] = new JsonArray(j["links"]!.AsArray()
                        .Where(l => !((string)l!["href"]!).Contains(Selected2, StringComparison.Ordinal)).Select(l => l!.DeepClone()).ToArray()));
                });
                var (r, log) = await w.RunInProcessAsync("--target=download");
                // docs/PIPELINE.md stage 6: no failure and no follow-on error; the tile is reported once, with the reason.
                Assert.True(r.ExitCode == 0, log);
                var warning = Assert.Single(r.Warnings);
                Assert.Equal(("cids", Selected2), (warning.Task, warning.UnitId));
                Assert.Contains(expected, warning.Message);
                Assert.StartsWith("tile 14SPJ not built: ", warning.Message);
                Assert.Equal(3, r.Task("cids")!.Built);
                Assert.Equal(0, r.Task("download")!.Built);
                break;
            }

            case "cdl not a raster":
            {
                var w = await BaseAsync();
                var text = Path.Combine(w.Folder, "not-a-raster.tif");
                File.WriteAllText(text, "this is no GeoTIFF\n");
                await BaseRowAsync(w, () => w.WriteConfig(cdl: text), "reproject", expected, "--target=reproject");
                break;
            }
            case "cdl wrong crs":
            {
                var w = await BaseAsync();
                var cdl = Path.Combine(w.Folder, "cdl-4326.tif");
                using (var real = RasterDataset.Open(Path.Combine(f.Root, "data", "cdl", "2021_30m_cdls_kansas_clip.tif")))
                    GeoTiff.Write(cdl, real.Grid with { Crs = "EPSG:4326" }, [real.ReadBand<byte>(1)], new GeoTiffOptions());
                await BaseRowAsync(w, () => w.WriteConfig(cdl: cdl), "reproject", expected, "--target=reproject");
                break;
            }
            case "reclass missing columns":
            {
                var w = await BaseAsync();
                var csv = Path.Combine(w.Folder, "reclass-bad.csv");
                File.WriteAllText(csv, "old_class,new_class\n1,3\n5,4\n");
                await BaseRowAsync(w, () => w.WriteConfig(reclass: csv), "chips", expected, "--target=chips");
                break;
            }
            case "track_chips missing columns":
            {
                var w = await BaseAsync();
                var track = w.File("track_chips.csv");
                var good = File.ReadAllText(track);
                try
                {
                    File.WriteAllLines(track, good.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(',', l.Split(',').Take(3))));
                    var (r, log) = await w.RunInProcessAsync("--target=split", "--exclusive");
                    var failure = AssertOneFailure(r, log, "split", expected);
                    Assert.Contains("track_chips.csv", failure.Message);
                }
                finally { File.WriteAllText(track, good); }
                break;
            }
            case "band float32": await BadBandAsync("B04", Selected2, expected, (grid, real) => Write(grid, real.ReadBand<short>(1).Select(v => (float)v).ToArray())); break;
            case "band wrong crs": await BadBandAsync("B11", Selected3, expected, (grid, real) => Write(grid with { Crs = "EPSG:4326" }, real.ReadBand<short>(1))); break;
            case "band wrong size":
                await BadBandAsync("B12", Selected2, expected, (grid, real) => Write(
                    grid with { Transform = grid.Transform with { PixelWidth = 60, PixelHeight = -60 } }, real.ReadBand<short>(1)));
                break;
            case "band truncated": await BadBandAsync("B8A", Selected3, expected, null); break;
            case "fmask int16": await BadBandAsync("Fmask", Selected2, expected, (grid, real) => Write(grid, real.ReadBand<byte>(1).Select(v => (short)v).ToArray())); break;
            default: throw new InvalidOperationException("no setup for row " + row);
        }
    }

    /// <summary>A downloaded band file damaged on disk is noticed by its stamp and fetched again; nothing else rebuilds.</summary>
    [Fact]
    public async Task A_band_file_damaged_after_download_is_fetched_again_by_the_next_build()
    {
        var w = await BaseAsync();
        w.WriteConfig();
        var band = w.File($"tiles/{Selected2}/{Selected2}.B02.tif");
        var good = File.ReadAllBytes(band);
        var bad = (byte[])good.Clone();
        bad[bad.Length / 2] ^= 0xFF;
        File.WriteAllBytes(band, bad);
        var (r, log) = await w.RunInProcessAsync("--target=chips");
        Assert.True(r.ExitCode == 0, log);
        Assert.Equal([$"{Selected2}.B02"], r.Task("download")!.UnitsWith(UnitStatus.Built).ToArray());
        Assert.Contains(r.Task("download")!.Units, u => u.Id == $"{Selected2}.B02" && u.Reasons.Any(x => x.Kind == ReasonKind.OutputChanged));
        Assert.Equal(good, File.ReadAllBytes(band));
        Assert.Equal(0, r.Task("reproject")!.Built); // same bytes again: early cutoff
    }

    // ---- rows on an empty folder ----

    private Workspace Fresh(string extra)
    {
        var w = new Workspace(f, "bad");
        w.WriteConfig(extra: extra);
        return w;
    }

    private async Task ConfigErrorAsync(Workspace w, string expected)
    {
        var (r, log) = await w.RunInProcessAsync();
        output.WriteLine(log.Trim());
        Assert.Equal(BuildHost.ExitUsage, r.ExitCode);
        Assert.Contains(expected, r.Error);
        Assert.Contains(w.ConfigPath, r.Error); // names the file
        Assert.Single(log.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(Directory.Exists(w.DataDir), "a config error must not touch the data folder");
    }

    private async Task AoiErrorAsync(string geojson, string expected)
    {
        var w = new Workspace(f, "bad");
        var aoi = Path.Combine(w.Folder, "aoi.geojson");
        File.WriteAllText(aoi, geojson);
        w.WriteConfig(aoi: "  geojson: " + aoi);
        var (r, log) = await w.RunInProcessAsync("--target=aoi");
        var failure = AssertOneFailure(r, log, "aoi", expected);
        Assert.Contains(aoi, failure.Message); // names the file
    }

    private UnitFailure AssertOneFailure(BuildResult r, string log, string task, string expected)
    {
        output.WriteLine(string.Join("\n", log.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal) || l.StartsWith("warning:", StringComparison.Ordinal))));
        Assert.Equal(BuildHost.ExitFailed, r.ExitCode);
        var failure = Assert.Single(r.Failures);
        Assert.Equal(task, failure.Task);
        Assert.Contains(expected, failure.Message);
        Assert.Single(log.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        return failure;
    }

    // ---- catalog rows: a fresh folder reading an edited copy of the sample's catalogs ----

    private async Task<Workspace> CatalogWorkspaceAsync(Action<string> edit)
    {
        var w = new Workspace(f, "catalog");
        var cat = Path.Combine(w.Folder, "stac");
        ReliabilityFixture.CopyTree(Path.Combine(f.Inputs, "stac"), cat);
        edit(cat);
        w.WriteConfig(cmr: cat + "/cmr/catalog.json", easier: cat + "/easier/catalog.json");
        await Task.CompletedTask;
        return w;
    }

    private async Task CatalogWarningAsync(string expected, string scene, Action<string> edit)
    {
        var w = await CatalogWorkspaceAsync(edit);
        var (r, log) = await w.RunInProcessAsync("--target=download");
        output.WriteLine(string.Join("\n", log.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal))));
        Assert.True(r.ExitCode == 0, log);
        var warning = Assert.Single(r.Warnings, x => x.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Equal("search", warning.Task);
        Assert.Contains(scene, warning.Message);
        // The scene is left out and reported; the selection and the downloads go on as before.
        var issue = Assert.Single(SceneIssuesCsv.ReadFile(w.File("scene_issues.csv")));
        Assert.Equal(("14SPJ", scene), (issue.TileId, issue.SceneId));
        Assert.Contains(expected, issue.Problem);
        Assert.Equal(["HLS.S30.T14SPJ.2022074T171051.v2.0", Selected2, Selected3],
            File.ReadAllLines(w.File("selected_scenes.csv")).Skip(1).Select(l => l.Split(',')[2]).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(21, r.Task("download")!.Built);
    }

    private static string CmrItem(string cat, string scene) => Path.Combine(cat, "cmr", "HLSS30_2.0", scene, scene + ".json");
    private static string Umm(string cat, string scene) => Path.Combine(cat, "cmr", "HLSS30_2.0", scene, scene + ".umm_json");
    private static string EasierItem(string cat, string scene) => Path.Combine(cat, "easier", "HLSS30", scene, scene + ".json");

    private static void EditJson(string path, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        edit(node);
        File.WriteAllText(path, node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    // ---- rows on the shared folder built up to the chips ----

    private static readonly Dictionary<string, Task<Workspace>> Bases = [];

    /// <summary>One folder per fixture, built once up to the chips stage (reproject outputs and track_chips.csv exist).</summary>
    private Task<Workspace> BaseAsync()
    {
        lock (Bases)
        {
            if (!Bases.TryGetValue(f.Sandbox, out var task))
                Bases[f.Sandbox] = task = BuildBaseAsync();
            return task;
        }
    }

    private async Task<Workspace> BuildBaseAsync()
    {
        var w = new Workspace(f, "base");
        var (r, log) = await w.RunInProcessAsync("--target=chips");
        if (r.ExitCode != 0) throw new InvalidOperationException("base build failed:\n" + log);
        return w;
    }

    /// <summary>A row that breaks one input of the shared folder through its config: one task error, then the config is restored.</summary>
    private async Task BaseRowAsync(Workspace w, Action configure, string task, string expected, params string[] args)
    {
        try
        {
            configure();
            var (r, log) = await w.RunInProcessAsync(args);
            AssertOneFailure(r, log, task, expected);
        }
        finally { w.WriteConfig(); }
    }

    /// <summary>
    /// A band file that verifies against its CID but is not an HLS band file: packed into a CAR of its own, its CID put
    /// into a copy of the Easier catalog, that CAR listed before the sample's. The download succeeds (the bytes are what
    /// the catalog names); every reproject unit of that scene-band fails naming the file and what was expected; the
    /// other 80 units are untouched.
    /// </summary>
    private async Task BadBandAsync(string band, string scene, string expected, Func<RasterGrid, RasterDataset, byte[]>? make)
    {
        var w = await BaseAsync();
        var car = new SampleCar(f.Inputs);
        var real = car.Bands.Single(b => b.Scene == scene && b.Band == band);
        var dir = Path.Combine(w.Folder, "bad-" + band + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(dir, "car"));
        var realFile = Path.Combine(dir, "real.tif");
        File.WriteAllBytes(realFile, real.Bytes);
        byte[] bad;
        if (make is null) bad = real.Bytes[..100_000];
        else
        {
            using var ds = RasterDataset.Open(realFile);
            bad = make(ds.Grid, ds);
        }
        var badFile = Path.Combine(dir, real.FileName);
        File.WriteAllBytes(badFile, bad);
        var cid = CarPacker.PackToFile([badFile], Path.Combine(dir, "car", "bad.car")).Single().ToString();
        var cat = Path.Combine(dir, "stac");
        ReliabilityFixture.CopyTree(Path.Combine(f.Inputs, "stac"), cat);
        EditJson(EasierItem(cat, scene), j => j["assets"]![band]!["alternate"]!["IPFS"]!["href"] = "ipfs://" + cid);
        try
        {
            w.WriteConfig(easier: cat + "/easier/catalog.json", ipfs: $"  sources:\n    - kind: car\n      path: {dir}/car\n" + Workspace.CarSource(f.Inputs));
            var (r, log) = await w.RunInProcessAsync("--target=reproject");
            output.WriteLine(string.Join("\n", log.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).Take(2)));
            Assert.Equal(BuildHost.ExitFailed, r.ExitCode);
            // A download unit reads its scene's whole payload: the scene's 7 bands are fetched again, the 6 unchanged
            // ones to the same bytes (so none of their reproject units rebuilds).
            Assert.Contains($"{scene}.{band}", r.Task("download")!.UnitsWith(UnitStatus.Built));
            Assert.Equal(0, r.Task("download")!.Failed);
            Assert.Equal(bad, File.ReadAllBytes(w.File($"tiles/{scene}/{real.FileName}")));
            var reproject = r.Task("reproject")!;
            Assert.Equal(4, reproject.Failed);                 // the 4 chip rows of that scene-band
            Assert.Equal(80, reproject.UpToDate);              // nothing else stopped
            Assert.All(r.Failures, x =>
            {
                Assert.Equal("reproject", x.Task);
                Assert.StartsWith($"{scene}.{band}.row", x.UnitId);
                Assert.Contains(real.FileName, x.Message);
                Assert.Contains(expected, x.Message);
            });
        }
        finally
        {
            // Back to the sample's band (fetched again, its 4 rows warped again) so the next row starts from the base.
            w.WriteConfig();
            var (back, backLog) = await w.RunInProcessAsync("--target=reproject");
            Assert.True(back.ExitCode == 0, backLog);
        }
    }

    private static byte[] Write<T>(RasterGrid grid, T[] values) where T : unmanaged
    {
        var path = Path.Combine(Path.GetTempPath(), "cropdata-band-" + Guid.NewGuid().ToString("N") + ".tif");
        try
        {
            GeoTiff.Write(path, grid, [values], new GeoTiffOptions());
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }
}
