using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("export")]
[ReadsConfig("export", "selection.scenes_per_chip", "bands")]
[UsesConfig("filter")] // lists the kept chips, which are the unit's inputs
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
                .Concat(c.Config.Export.Huggingface ? CardInputs(c) : [])
                .Concat(File.Exists(c.Paths.GlobalStatsJson) ? [c.Paths.GlobalStatsJson, c.Paths.ClassWeightsJson] : []),
            Outputs: plans.SelectMany(p => p.Destinations));
    }

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        // Chip files are hard links to chips_filtered/ where the file system allows (no second copy on disk), through
        // the engine's temp names: a killed export never leaves a half-written chip.
        foreach (var plan in Plans(c))
        {
            foreach (var copy in plan.Copies) FileLinks.LinkOrCopy(copy.Source, o.TempPathFor(copy.Destination));
            foreach (var file in plan.Files) File.WriteAllText(o.TempPathFor(file.Destination), file.Content);
            c.Log.Information($"export: {plan.Layout} layout, {plan.Copies.Count} chip files");
        }
    }

    private static IReadOnlyList<ReleasePlan> Plans(DatasetContext c)
    {
        var split = c.State.SplitResult();
        var chips = Path.Combine(c.Paths.Root, "chips_filtered");
        var plans = new List<ReleasePlan>();
        if (c.Config.Export.Huggingface)
            plans.Add(Rebase(ReleaseLayouts.HuggingFace(chips, split, extra: HuggingFaceExtras(c, split)), Path.Combine(c.Paths.Export, "huggingface")));
        if (c.Config.Export.Baseline && File.Exists(c.Paths.GlobalStatsJson))
            plans.Add(Rebase(ReleaseLayouts.Baseline(chips, split, c.State.GlobalStats(), c.State.ClassWeights(), c.Config.Selection.ScenesPerChip),
                Path.Combine(c.Paths.Export, "baseline")));
        return plans;
    }

    // Plans name destinations relative to the layout's folder.
    private static ReleasePlan Rebase(ReleasePlan plan, string folder) => plan with
    {
        Copies = plan.Copies.Select(x => x with { Destination = Path.Combine(folder, x.Destination) }).ToList(),
        Files = plan.Files.Select(x => x with { Destination = Path.Combine(folder, x.Destination) }).ToList(),
    };

    private static IEnumerable<string> CardInputs(DatasetContext c) =>
        new[] { c.Paths.TrackChipsCsv, c.Paths.TilePayloadsJson, c.Paths.ClassDistributionCsv("train"), c.Paths.ClassDistributionCsv("validation"), c.Paths.GlobalStatsJson }
            .Where(File.Exists);

    /// <summary>chips_df.csv (TerraTorch's metadata) and the dataset card README.md of the Hugging Face layout.</summary>
    private static IEnumerable<PlannedFile> HuggingFaceExtras(DatasetContext c, SplitResult split)
    {
        var kept = c.State.KeptRows();
        yield return new PlannedFile(DatasetCard.ChipsDfFile, DatasetCard.ChipsDf(kept));
        var pixels = ClassPixelCounts.Sum(new[] { "train", "validation" }.Select(c.Paths.ClassDistributionCsv).Where(File.Exists)
            .Select(csv => ClassPixelCounts.ReadCsv(csv).Classes)).Classes;
        var inputs = File.Exists(c.Paths.TilePayloadsJson)
            ? Dataset.Scenes.TilePayloadsJson.ReadFile(c.Paths.TilePayloadsJson).SelectMany(kv => kv.Value.Select(b => (Scene: kv.Key, Band: b.BandName, b.Cid))).ToList()
            : [];
        yield return new PlannedFile(DatasetCard.CardFile, DatasetCard.Render(new DatasetCardInput(c.Config.TrainDatasetName, c.Config.Bands, kept, split, pixels,
            File.Exists(c.Paths.GlobalStatsJson) ? c.State.GlobalStats() : null, inputs)));
    }
}
