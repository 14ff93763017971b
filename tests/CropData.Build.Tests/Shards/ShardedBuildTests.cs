using System.Text.Json.Nodes;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tests.Shards;

/// <summary>
/// Issue 10: the sample built as three shards and merged is the unsharded dataset, byte for byte; merge refuses
/// conflicting shards, incomplete shard sets and shards that left work undone, and touches nothing then.
/// The sample has one tile (14SPJ), so one shard does all per-tile work and two only map the AOI.
/// </summary>
public class ShardedBuildTests(ShardedSample sample) : IClassFixture<ShardedSample>
{
    private const string Tile = "14SPJ";
    private static readonly int Owner = Enumerable.Range(1, ShardedSample.Count).Single(k => new ShardSpec(k, ShardedSample.Count).Contains(Tile));
    private static readonly int Idle = Enumerable.Range(1, ShardedSample.Count).First(k => k != Owner);

    private string Shard(int k) => sample.Shards[k - 1].Dataset;

    private string From(int replace = 0, string? with = null) =>
        "--from=" + string.Join(",", Enumerable.Range(1, ShardedSample.Count).Select(k => k == replace ? with! : Shard(k)));

    [Fact]
    public void Each_shard_builds_only_its_tiles_and_leaves_no_dataset_wide_table()
    {
        for (int k = 1; k <= ShardedSample.Count; k++)
        {
            var r = sample.ShardResults[k - 1];
            bool owner = k == Owner;
            foreach (var aggregate in new[] { "split", "export" })
            {
                Assert.Equal(TaskRunStatus.Skipped, r.Task(aggregate)!.Status);
                Assert.Equal("aggregate task, not run inside a shard", r.Task(aggregate)!.Note);
            }
            Assert.Equal(TaskRunStatus.Skipped, r.Task("manifest")!.Status);
            Assert.Equal(16, r.Task("tiles")!.Built); // every shard maps the whole AOI to tiles
            Assert.Equal(owner ? 1 : 0, r.Task("search")!.Built);
            Assert.Equal(0, r.Task("download")!.Built);             // download.mode ranges: stage 8 reads the bands by block
            Assert.Equal(owner ? 84 : 0, r.Task("reproject")!.Built);
            Assert.Equal(owner ? 16 : 0, r.Task("chips")!.Built);
            Assert.Equal(owner ? 15 : 0, r.Task("report")!.Built); // quicklooks are per chip: made where the chip is
            Assert.Equal(owner ? 1 : 0, r.Task("stats")!.Built);   // the tile's partial histogram
            Assert.Equal(owner, File.Exists(Path.Combine(Shard(k), ".build", "work", "stats", Tile + ".hist")));
            Assert.False(Directory.Exists(Path.Combine(Shard(k), "tiles")));
            Assert.Equal(owner, Directory.Exists(Path.Combine(Shard(k), ".build", "work", "ranges")));
            foreach (var table in new[] { "selected_scenes.csv", "scene_candidates.csv", "tile_payloads.json", "missing_cids.json", "track_chips.csv",
                                          "train_ids.csv", "global_stats.yaml", "class_weights.csv", "report/index.html", DatasetManifest.FileName })
                Assert.False(File.Exists(Path.Combine(Shard(k), table)), $"shard {k} wrote the dataset-wide {table}");
        }
    }

    [Fact]
    public async Task Three_shards_merged_equal_the_unsharded_build_byte_for_byte()
    {
        var b = sample.Unsharded; // same data folder and config as the unsharded build, whose dataset folder is gone
        Assert.Equal([".build/stamps/sample-data"], // but for the stamp of the data folder's generated inputs
            Directory.EnumerateFiles(b.Dataset, "*", SearchOption.AllDirectories).Select(f => Path.GetDirectoryName(Path.GetRelativePath(b.Dataset, f))!).Distinct());
        // --from takes data folders as well as dataset folders.
        var from = $"--from={sample.Shards[0].DataDir},{Shard(2)},{sample.Shards[2].DataDir}";
        var r = await b.BuildOkAsync("--target=merge", from);

        // No pixel is read again: downloads, warps, chips, filtered copies, quicklooks and the per-tile partial
        // histograms all come from the shards; only the gathered tables and the aggregates are made here.
        foreach (var task in new[] { "tiles", "scenes", "download", "reproject", "chips", "filter", "stats", "report" })
            Assert.True(r.Task(task)!.Built == 0, $"merge rebuilt {r.Task(task)!.Built} unit(s) of {task}");
        Assert.Equal(1, r.Task("split")!.Built);
        Assert.Equal(1, r.Task("export")!.Built);

        var merged = File.ReadAllBytes(b.File(DatasetManifest.FileName));
        Assert.True(sample.UnshardedManifest.AsSpan().SequenceEqual(merged), ManifestDifference(sample.UnshardedManifest, merged));

        // The merged folder is a normal dataset folder: a plain build there is a no-op.
        var again = await b.BuildOkAsync();
        Assert.True(again.Tasks.Where(t => t.IsUnitTask).All(t => t.Built == 0 && t.Failed == 0),
            string.Join(", ", again.Tasks.Where(t => t.Built > 0).Select(t => $"{t.Name}: {t.Built} built")));
        Assert.Equal(TaskRunStatus.Skipped, again.Task("merge-shards")!.Status);
        Assert.Equal(merged, File.ReadAllBytes(b.File(DatasetManifest.FileName)));
        var (verify, log) = await b.RunAsync("--target=verify");
        Assert.True(verify.ExitCode == 0, log);

        // Merging again (say after rerunning a shard that changed nothing) rebuilds nothing either.
        var remerge = await b.BuildOkAsync("--target=merge", from);
        Assert.True(remerge.Tasks.Where(t => t.IsUnitTask).All(t => t.Built == 0),
            string.Join(", ", remerge.Tasks.Where(t => t.Built > 0).Select(t => $"{t.Name}: {t.Built} built")));
        Assert.Equal(merged, File.ReadAllBytes(b.File(DatasetManifest.FileName)));
    }

    [Fact]
    public async Task Conflicting_copies_name_the_file_and_both_shards_and_merge_nothing()
    {
        // A stale chip in the idle shard's folder, under the path the owner's real chip has.
        var copy = sample.CopyOfShard(Idle);
        Directory.CreateDirectory(Path.Combine(copy, "chips"));
        File.WriteAllBytes(Path.Combine(copy, "chips", "chip_203_335_merged.tif"), "not the chip"u8.ToArray());
        using var target = new SampleBuild();

        var (r, log) = await target.RunAsync("--target=merge", From(Idle, copy));

        Assert.NotEqual(0, r.ExitCode);
        var failure = Assert.Single(r.Failures);
        Assert.Equal("merge-shards", failure.Task);
        Assert.Contains("chips/chip_203_335_merged.tif", failure.Message);
        Assert.Contains($"shard {Idle}/3 ({copy})", failure.Message);
        Assert.Contains($"shard {Owner}/3 ({Shard(Owner)})", failure.Message);
        Assert.Contains("12 bytes", failure.Message);
        // Nothing reached the target, and no stage started there from scratch.
        Assert.DoesNotContain(Directory.EnumerateFiles(target.Dataset, "*", SearchOption.AllDirectories), f => !f.Contains("/.build/"));
        Assert.Equal(["config.yaml", "training_datasets"], // no sample_inputs: sample-data did not run
            Directory.EnumerateFileSystemEntries(target.DataDir).Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray());
        foreach (var stage in new[] { "sample-data", "aoi", "download", "split" })
            Assert.True(r.Task(stage)!.Status == TaskRunStatus.Skipped, $"{stage} ran after a failed union:\n{log}");
    }

    [Fact]
    public async Task Merge_needs_every_shard_of_one_run_exactly_once()
    {
        using var target = new SampleBuild();
        async Task<string> Fails(params string[] args)
        {
            var (r, log) = await target.RunAsync(args);
            Assert.True(r.ExitCode != 0, log);
            Assert.Equal(TaskRunStatus.Skipped, r.Task("aoi")!.Status);
            return Assert.Single(r.Failures).Message;
        }

        var others = Enumerable.Range(1, 3).Where(k => k != 2).Select(Shard);
        Assert.Contains("lacks shard(s) 2/3", await Fails("--target=merge", "--from=" + string.Join(",", others)));
        Assert.Contains($"names shard 1/3 twice: {Shard(1)} and {Shard(1)}",
            await Fails("--target=merge", $"--from={Shard(1)},{sample.Shards[0].DataDir},{Shard(2)},{Shard(3)}"));
        var empty = Directory.CreateDirectory(Path.Combine(target.DataDir, "not-a-shard")).FullName;
        Assert.Contains("is neither a data folder", await Fails("--target=merge", $"--from={empty},{Shard(2)},{Shard(3)}"));
        Assert.Contains("merge needs --from", await Fails("--target=merge"));
        // --from outside merge is refused by the command line itself (exit 2, no task runs).
        var (plain, plainLog) = await target.RunAsync($"--from={Shard(1)}");
        Assert.Equal(2, plain.ExitCode);
        Assert.Contains("--from is read by target merge, which 'Default' does not run", plainLog);
        Assert.False(Directory.Exists(Path.Combine(target.Dataset, "chips")));
    }

    [Fact]
    public async Task A_shard_that_left_a_unit_unbuilt_stops_the_merge_until_allowed()
    {
        // As if chip_202_336's unit had failed in its shard: its stamp is missing.
        var copy = sample.CopyOfShard(Owner);
        File.Delete(Path.Combine(copy, ".build", "stamps", "chips", "chip_202_336.json"));
        using var target = await SampleBuild.WithInputsAsync(); // the build --allow-rebuild allows need not generate the sample again

        var (r, log) = await target.RunAsync("--target=merge", From(Owner, copy));
        Assert.NotEqual(0, r.ExitCode);
        var failure = Assert.Single(r.Failures);
        Assert.Equal("merge-shards", failure.Task);
        Assert.Contains("chips: 1 unit(s), e.g. chip_202_336: new (1)", failure.Message);
        Assert.Contains("--allow-rebuild", failure.Message);
        Assert.Equal(TaskRunStatus.Skipped, r.Task("chips")!.Status); // nothing was built behind the refusal

        var ok = await target.BuildOkAsync("--target=merge", From(Owner, copy), "--allow-rebuild");
        Assert.Equal(["chip_202_336"], ok.Task("chips")!.UnitsWith(UnitStatus.Built).ToArray());
        Assert.Equal(0, ok.Task("reproject")!.Built);
        Assert.Equal(0, ok.Task("download")!.Built);
    }

    private static string ManifestDifference(byte[] expected, byte[] actual)
    {
        static Dictionary<string, string> Files(byte[] m) =>
            JsonNode.Parse(m)!["files"]!.AsArray().ToDictionary(f => (string)f!["path"]!, f => (string)f!["sha256"]!);
        var a = Files(expected);
        var b = Files(actual);
        var diff = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(p => a.GetValueOrDefault(p) != b.GetValueOrDefault(p))
            .Select(p => !b.ContainsKey(p) ? "missing in merge: " + p : !a.ContainsKey(p) ? "extra in merge: " + p : "differs: " + p);
        return "merged manifest differs from the unsharded one:\n" + string.Join("\n", diff.Take(30));
    }
}
