using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("export")]
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
            ConfigKeys: ["export"],
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

    public override void Run(DatasetContext c)
    {
        RemoveCrashLeftovers(c);
        var manifest = DatasetManifest.Build(c.Paths.Root, c.Loaded.Tree, Inputs(c), DatasetContext.ToolVersion, c.Sha256Of);
        var bytes = manifest.ToBytes();
        if (!(File.Exists(c.Paths.Manifest) && File.ReadAllBytes(c.Paths.Manifest).AsSpan().SequenceEqual(bytes)))
        {
            File.WriteAllBytes(c.Paths.Manifest + ".tmp", bytes);
            File.Move(c.Paths.Manifest + ".tmp", c.Paths.Manifest, overwrite: true);
        }
        c.Log.Information($"manifest: {manifest.Files.Count} files -> {c.Paths.Manifest}");
    }

    // Temps of a killed build: the engine's ".<name>.<8 hex>.tmp.<ext>", "<file>.tmp" of the tables, report and
    // manifest written by hand, GDAL's "<file>.<pid>-<thread>.partial" (CropData.Gdal writes beside the engine's temp
    // and renames) and the IPFS fetcher's ".unverified"/".spill". The engine deletes unit temps only in
    // folders where a unit rebuilds, so a build killed while rebuilding units that then turn out up to date (forced,
    // or a reverted setting) would leave them to be listed here as dataset files.
    private static readonly System.Text.RegularExpressions.Regex Leftover = new(
        @"(^\..+\.[0-9a-f]{8}\.tmp(\.[^.]*)?$)|(\.tmp$)|(\.unverified(\.spill)?$)|(\.[0-9]+-[0-9]+\.partial$)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Deletes crash leftovers from the dataset folder (never from .build/): they are not dataset files.</summary>
    private static void RemoveCrashLeftovers(DatasetContext c)
    {
        var removed = new List<string>();
        foreach (var rel in DatasetManifest.ListFiles(c.Paths.Root))
        {
            if (!Leftover.IsMatch(Path.GetFileName(rel))) continue;
            File.Delete(Path.Combine(c.Paths.Root, rel));
            removed.Add(rel);
        }
        if (removed.Count > 0)
            c.Log.Information($"manifest: removed {removed.Count} temp file(s) left by an interrupted build: {string.Join(", ", removed.Take(5))}" +
                              (removed.Count > 5 ? ", ..." : ""));
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
[TaskDescription("Re-hash the dataset folder against dataset.manifest.json; names every missing, extra or changed file")]
public sealed class VerifyTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var folder = c.Argument("dataset") is { } d ? Path.GetFullPath(d) : c.Paths.Root;
        var result = DatasetManifest.Verify(folder);
        foreach (var line in result.Describe()) c.Log.Error(line);
        if (!result.Ok)
            throw new InvalidDataException($"{folder} does not match its manifest: {result.Missing.Count} missing, {result.Extra.Count} extra, {result.Changed.Count} changed");
        c.Log.Information($"verify: {folder} matches {DatasetManifest.FileName}");
    }
}
