using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("export")]
[ReadsConfig("export")]
[IsDependentOn(typeof(ReportTask))]
[TaskDescription("Release layouts: HuggingFace (training_chips/, validation_chips/, *_data.txt) and a baseline-ready folder")]
public sealed class ExportTask : AggregateTask
{
    public override UnitSpec Describe(string unit, DatasetContext c)
    {
        var plans = Plans(c);
        return new UnitSpec(
            Inputs: plans.SelectMany(p => p.Copies.Select(x => x.Source)).Distinct()
                .Concat([c.Paths.TrainIds, c.Paths.ValIds])
                .Concat(File.Exists(c.Paths.GlobalStatsJson) ? [c.Paths.GlobalStatsJson, c.Paths.ClassWeightsJson] : []),
            Outputs: plans.SelectMany(p => p.Destinations));
    }

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        // Copies go through the engine's temp names: a killed export never leaves a half-copied chip.
        foreach (var plan in Plans(c))
        {
            foreach (var copy in plan.Copies) File.Copy(copy.Source, o.TempPathFor(copy.Destination), overwrite: true);
            foreach (var file in plan.Files) File.WriteAllText(o.TempPathFor(file.Destination), file.Content);
            c.Log.Information($"export: {plan.Layout} layout, {plan.Copies.Count} chip files");
        }
    }

    private static IReadOnlyList<ReleasePlan> Plans(DatasetContext c)
    {
        var split = SplitTask.ReadResult(c);
        var chips = Path.Combine(c.Paths.Root, "chips_filtered");
        var plans = new List<ReleasePlan>();
        if (c.Config.Export.Huggingface) plans.Add(Rebase(ReleaseLayouts.HuggingFace(chips, split), Path.Combine(c.Paths.Export, "huggingface")));
        if (c.Config.Export.Baseline && File.Exists(c.Paths.GlobalStatsJson))
            plans.Add(Rebase(ReleaseLayouts.Baseline(chips, split, StatsTask.ReadGlobalStats(c), StatsTask.ReadWeights(c)),
                Path.Combine(c.Paths.Export, "baseline")));
        return plans;
    }

    // Plans name destinations relative to the layout's folder.
    private static ReleasePlan Rebase(ReleasePlan plan, string folder) => plan with
    {
        Copies = plan.Copies.Select(x => x with { Destination = Path.Combine(folder, x.Destination) }).ToList(),
        Files = plan.Files.Select(x => x with { Destination = Path.Combine(folder, x.Destination) }).ToList(),
    };
}

[TaskName("manifest")]
[IsDependentOn(typeof(ExportTask))]
[TaskDescription("dataset.manifest.json: every output file with size and sha256, the config, every input's CID/sha256")]
public sealed class ManifestTask : FrostingTask<DatasetContext>
{
    public override bool ShouldRun(DatasetContext c) => c.Options.Shard is null;

    // Only files a unit owns are listed (the engine's stamps say which); anything else in the folder was written by
    // nobody the build knows, so it is named here, left out, and makes verify fail until `clean` removes it.
    public override void Run(DatasetContext c)
    {
        var unowned = Unowned(c, out var owned);
        if (unowned.Count > 0)
            c.Log.Warning($"manifest: {unowned.Count} file(s) in the dataset folder are outputs of no unit and are not in the manifest: " +
                          string.Join(", ", unowned.Take(5)) + (unowned.Count > 5 ? ", ..." : "") + " (./build.sh --target=clean removes them)");
        var manifest = DatasetManifest.Build(c.Paths.Root, c.Loaded.Tree, Inputs(c), DatasetContext.ToolVersion, c.Sha256Of,
            include: rel => owned.Contains(Path.Combine(c.Paths.Root, rel)));
        AtomicFile.WriteAllBytes(c.Paths.Manifest, manifest.ToBytes());
        c.Log.Information($"manifest: {manifest.Files.Count} files -> {c.Paths.Manifest}");
    }

    /// <summary>Relative paths of the dataset folder's files that no unit owns (the manifest itself and .build/ aside).</summary>
    public static IReadOnlyList<string> Unowned(DatasetContext c, out IReadOnlySet<string> owned)
    {
        var set = BuildState.OwnedFiles(c.Paths.State);
        owned = set;
        return DatasetManifest.ListFiles(c.Paths.Root).Where(rel => !set.Contains(Path.Combine(c.Paths.Root, rel))).ToList();
    }

    /// <summary>Scenes by CID (tile_payloads.json), committed inputs by sha256 (CDL, grids, tables).</summary>
    private static IEnumerable<ManifestInput> Inputs(DatasetContext c)
    {
        var inputs = new List<ManifestInput>();
        foreach (var path in new[] { c.Config.Cdl.Path, c.Config.Cdl.ReclassTable, c.Config.Grid.Chips4326, c.Config.Grid.Chips5070, c.Config.Grid.TileCentroids })
        {
            var full = c.Resolve(path);
            if (File.Exists(full)) inputs.Add(new ManifestInput(path.Replace('\\', '/'), Sha256: c.Sha256Of(full), Size: new FileInfo(full).Length));
        }
        if (File.Exists(c.Paths.TilePayloadsJson))
            foreach (var (_, bands) in Dataset.Scenes.TilePayloadsJson.ReadFile(c.Paths.TilePayloadsJson))
                foreach (var b in bands) inputs.Add(new ManifestInput(b.Filename, Cid: b.Cid));
        return inputs.OrderBy(i => i.Name, StringComparer.Ordinal);
    }
}

[TaskName("verify")]
[TaskArgument("dataset", "DIR", "verify this dataset folder instead of the config's")]
[TaskDescription("Re-hash the dataset folder against dataset.manifest.json; names every missing, extra or changed file")]
public sealed class VerifyTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var folder = c.Argument("dataset") is { } d ? Path.GetFullPath(d) : c.Paths.Root;
        // A build that failed, was killed or built only part of the graph leaves the dataset disagreeing with its config.
        if (BuildState.IncompleteReason(Path.Combine(folder, ".build")) is { } why)
            throw new InvalidDataException($"{folder} is not a finished dataset: {why}. Run ./build.sh (with the same --config) to finish it.");
        var result = DatasetManifest.Verify(folder);
        foreach (var line in result.Describe()) c.Log.Error(line);
        if (!result.Ok)
            throw new InvalidDataException($"{folder} does not match its manifest: {result.Missing.Count} missing, {result.Extra.Count} extra, {result.Changed.Count} changed");
        c.Log.Information($"verify: {folder} matches {DatasetManifest.FileName}");
    }
}

[TaskName("clean")]
[TaskArgument("all", "", "empty the whole dataset folder (outputs and build state), not only files no unit owns")]
[TaskDescription("Remove files of the dataset folder that no unit owns (strays, leftovers); --all removes the whole dataset folder")]
public sealed class CleanTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        if (MergeShardsTask.Flag(c, "all"))
        {
            // The build lock lives in .build/: keep the folder itself, empty everything else.
            foreach (var entry in Directory.EnumerateFileSystemEntries(c.Paths.Root))
            {
                if (Path.GetFileName(entry) == ".build") continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(c.Paths.State))
                if (!Path.GetFileName(entry).StartsWith("build.", StringComparison.Ordinal))
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
            c.Log.Information($"clean: emptied {c.Paths.Root} (outputs and build state)");
            return;
        }
        var unowned = ManifestTask.Unowned(c, out _);
        foreach (var rel in unowned) File.Delete(Path.Combine(c.Paths.Root, rel));
        foreach (var dir in Directory.EnumerateDirectories(c.Paths.Root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            if (!dir.StartsWith(c.Paths.State, StringComparison.Ordinal) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
        c.Log.Information($"clean: removed {unowned.Count} file(s) no unit owns" + (unowned.Count > 0 ? ": " + string.Join(", ", unowned.Take(5)) + (unowned.Count > 5 ? ", ..." : "") : ""));
    }
}
