using CropData.Graph;

namespace CropData.Build.Tests.Shards;

/// <summary>
/// Issue 20: the multi-tile sample (3 tiles, 2 chips each) as 3 shards in which every shard builds one tile; the merge
/// equals the unsharded build byte for byte, and statistics, split and report span every tile
/// (docs/SCALE-OUT.md, docs/PIPELINE.md stages 11-14).
/// </summary>
public class ShardedTilesTests(ShardedTiles sample) : IClassFixture<ShardedTiles>
{
    private static IEnumerable<string[]> Rows(string csv) => File.ReadAllLines(csv).Skip(1).Select(l => l.Split(','));

    private Dictionary<string, string> ChipTiles() =>
        Rows(Path.Combine(sample.Unsharded.Reference, "chip_tiles.csv")).ToDictionary(r => r[0], r => r[3], StringComparer.Ordinal);

    [Fact]
    public void Every_shard_builds_the_tiles_of_its_partition_and_every_shard_gets_one()
    {
        var tiles = ChipTiles();
        Assert.Equal(TilesSample.Tiles, tiles.Values.Distinct().Order(StringComparer.Ordinal));
        for (int k = 1; k <= ShardedTiles.Count; k++)
        {
            var r = sample.ShardResults[k - 1];
            var spec = new ShardSpec(k, ShardedTiles.Count);
            var own = TilesSample.Tiles.Where(spec.Contains).ToArray();
            var chips = tiles.Where(t => own.Contains(t.Value)).Select(t => t.Key).Order(StringComparer.Ordinal).ToArray();
            Assert.True(own.Length > 0, $"shard {k}/3 has no tile of {string.Join(", ", TilesSample.Tiles)}");
            Assert.Equal(own.Length, r.Task("search")!.Built);
            // download.mode ranges: nothing fetched whole; stage 8 reads the 3 scenes x 7 bands of each own tile by block.
            Assert.Equal(0, r.Task("download")!.Built);
            var bands = r.Task("reproject")!.UnitsWith(UnitStatus.Built).Select(id => id[..id.LastIndexOf(".row", StringComparison.Ordinal)]).Distinct().ToArray();
            Assert.Equal(own.Length * 21, bands.Length);
            Assert.All(bands, b => Assert.Contains(own, t => b.Contains($".T{t}.", StringComparison.Ordinal)));
            Assert.Equal(chips, r.Task("chips")!.UnitsWith(UnitStatus.Built).Order(StringComparer.Ordinal));
            Assert.Equal(own.Length, r.Task("stats")!.Built);
            Assert.Equal(own.Order(StringComparer.Ordinal),
                Directory.GetFiles(Path.Combine(sample.Shards[k - 1].Dataset, ".build", "work", "stats"), "*.hist").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        }
        Assert.Equal(6, sample.ShardResults.Sum(r => r.Task("chips")!.Built));
    }

    [Fact]
    public void Three_shards_merged_equal_the_unsharded_build_byte_for_byte()
    {
        foreach (var task in new[] { "download", "reproject", "chips", "filter", "stats", "report" })
            Assert.True(sample.Merge.Task(task)!.Built == 0, $"merge rebuilt {sample.Merge.Task(task)!.Built} unit(s) of {task}");
        Assert.Equal(1, sample.Merge.Task("split")!.Built);

        var expected = TilesSample.DatasetFiles(sample.Unsharded.Reference);
        var merged = TilesSample.DatasetFiles(sample.Unsharded.Build.Dataset);
        Assert.Equal(expected.Keys, merged.Keys);
        var differ = expected.Keys.Where(p => !expected[p].AsSpan().SequenceEqual(merged[p])).ToList();
        Assert.True(differ.Count == 0, "merged files differ from the unsharded build: " + string.Join(", ", differ));
        // What the comparison covered: the manifest, every chip, the dataset-wide tables and the report.
        foreach (var file in new[] { "dataset.manifest.json", "track_chips.csv", "selected_scenes.csv", "global_stats.yaml", "band_stats.csv",
                                     "train_ids.csv", "report/index.html", "chips/chip_226_325_merged.tif" })
            Assert.Contains(file, expected.Keys);
        Assert.Equal(6, expected.Keys.Count(p => p.StartsWith("chips/", StringComparison.Ordinal) && p.EndsWith("_merged.tif", StringComparison.Ordinal)));
    }

    [Fact]
    public void Statistics_across_tiles_equal_a_brute_force_computation_over_the_kept_chips()
    {
        var kept = Rows(Path.Combine(sample.Unsharded.Reference, "track_chips.csv")).Where(r => double.Parse(r[8], System.Globalization.CultureInfo.InvariantCulture) < 5).ToList();
        // stage 10 rejects the cloudy chip_226_326; the kept chips still span every tile
        Assert.Equal(["chip_225_325", "chip_225_326", "chip_225_327", "chip_225_328", "chip_226_325"], kept.Select(r => r[0]));
        Assert.Equal(TilesSample.Tiles, kept.Select(r => r[1]).Distinct().Order(StringComparer.Ordinal));
        // the merged statistics come from the shards' per-tile partial histograms, the reference's from one machine
        GlobalStatsCheck.AssertMatchesChips(sample.Unsharded.Build.Dataset, 6);
        GlobalStatsCheck.AssertMatchesChips(sample.Unsharded.Reference, 6);
    }

    [Fact]
    public void The_split_and_the_report_show_every_tile()
    {
        var tiles = ChipTiles();
        var dataset = sample.Unsharded.Build.Dataset;
        var train = File.ReadAllLines(Path.Combine(dataset, "train_ids_noheader.csv"));
        var val = File.ReadAllLines(Path.Combine(dataset, "val_ids_noheader.csv"));
        Assert.NotEmpty(train);
        Assert.NotEmpty(val);
        Assert.Empty(train.Intersect(val));
        Assert.Equal(TilesSample.Tiles, train.Concat(val).Select(id => tiles["chip_" + id]).Distinct().Order(StringComparer.Ordinal));

        var report = File.ReadAllText(Path.Combine(dataset, "report", "index.html"));
        foreach (var tile in TilesSample.Tiles)
        {
            Assert.Contains(tile, report);
            foreach (var chip in tiles.Where(t => t.Value == tile).Select(t => t.Key))
                Assert.Contains(chip, report);
        }
    }
}
