using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("merge")]
[TaskArgument("from", "DIR1,DIR2,...", "the shards' data folders (holding training_datasets/<name>/) or dataset folders")]
[TaskArgument("link", "", "hard-link the shards' files instead of copying them (same file system)")]
[TaskArgument("allow-rebuild", "", "build in the merged folder what the shards left unbuilt, instead of stopping")]
[IsDependentOn(typeof(MergeShardsTask))]
[IsDependentOn(typeof(DefaultTask))]
[TaskDescription("Combine shard outputs (--from=DIR1,DIR2,...; data or dataset folders) into one dataset: union, gathered tables, split, stats, report, export, manifest")]
public sealed class MergeTask : FrostingTask<DatasetContext>
{
    public static bool IsMergeTarget(DatasetContext c) => string.Equals(c.Options.Target, "merge", StringComparison.OrdinalIgnoreCase);

    public override void Run(DatasetContext c) =>
        c.Log.Information($"merge: {c.Paths.Root} is one dataset now; a plain build there finds everything up to date");
}
