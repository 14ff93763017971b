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
        var split = c.State.SplitResult();
        var chips = Path.Combine(c.Paths.Root, "chips_filtered");
        var plans = new List<ReleasePlan>();
        if (c.Config.Export.Huggingface) plans.Add(Rebase(ReleaseLayouts.HuggingFace(chips, split), Path.Combine(c.Paths.Export, "huggingface")));
        if (c.Config.Export.Baseline && File.Exists(c.Paths.GlobalStatsJson))
            plans.Add(Rebase(ReleaseLayouts.Baseline(chips, split, c.State.GlobalStats(), c.State.ClassWeights()),
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
