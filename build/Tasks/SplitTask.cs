using CropData.Build.Context;
using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("split")]
[ReadsConfig("filter", "split")]
[IsDependentOn(typeof(FilterTask))]
[TaskDescription("Stage 11: 80/20 train/validation split, stable per chip (or a published split imported)")]
public sealed class SplitTask : AggregateTask
{
    public override UnitSpec Describe(string unit, DatasetContext c) => new(
        Inputs: new[] { c.Paths.TrackChipsCsv }.Concat(
            c.Config.Split is { ImportTrain: { } t, ImportVal: { } v } ? [c.Resolve(t), c.Resolve(v)] : []),
        Outputs: [c.Paths.TrainIds, c.Paths.ValIds, c.Paths.TrainIdsNoHeader, c.Paths.ValIdsNoHeader]);

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        var kept = c.State.KeptRows().Select(r => r.ChipId).ToList();
        var s = c.Config.Split;
        SplitResult split;
        if (s is { ImportTrain: { } t, ImportVal: { } v })
        {
            split = DatasetSplit.ApplyPublished(kept, DatasetSplit.ReadPublished(c.Resolve(t), c.Resolve(v)), s.Seed, s.TrainFraction);
            if (split.AbsentFromPublished.Count > 0)
                o.Warn($"{split.AbsentFromPublished.Count} chips are not in the published split and were placed by the hash rule: " +
                       string.Join(", ", split.AbsentFromPublished.Take(10)) + (split.AbsentFromPublished.Count > 10 ? ", ..." : ""));
        }
        else split = DatasetSplit.Split(kept, s.Seed, s.TrainFraction, s.Method == "threshold" ? SplitMethod.Threshold : SplitMethod.Exact);

        var temp = Path.Combine(c.Paths.Work, "split." + Guid.NewGuid().ToString("N"));
        DatasetSplit.Write(split, temp);
        File.Move(Path.Combine(temp, DatasetSplit.TrainFile), o.TempPathFor(c.Paths.TrainIds));
        File.Move(Path.Combine(temp, DatasetSplit.ValidationFile), o.TempPathFor(c.Paths.ValIds));
        File.Move(Path.Combine(temp, DatasetSplit.TrainFileNoHeader), o.TempPathFor(c.Paths.TrainIdsNoHeader));
        File.Move(Path.Combine(temp, DatasetSplit.ValidationFileNoHeader), o.TempPathFor(c.Paths.ValIdsNoHeader));
        Directory.Delete(temp, recursive: true);
        c.Log.Information($"split: {split.Train.Count} train, {split.Validation.Count} validation chips");
    }

}
