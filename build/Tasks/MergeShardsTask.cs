using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

/// <summary>
/// First step of <c>--target=merge</c>: the union of the shard folders named by <c>--from</c> goes into this
/// dataset folder (per-unit outputs, per-unit intermediates under .build/work and the units' stamps), so the
/// rest of the graph finds every shard's units up to date and only gathers tables and runs the aggregates.
/// sample-data depends on this task, so a failed union blocks the whole graph instead of starting the
/// pipeline from scratch in the merged folder. See docs/SCALE-OUT.md.
/// </summary>
[TaskName("merge-shards")]
[TaskDescription("First step of merge: union the shard folders of --from=DIR1,DIR2,... into this dataset folder (skipped without --from)")]
public sealed class MergeShardsTask : AsyncFrostingTask<DatasetContext>
{
    public override bool ShouldRun(DatasetContext c) => c.Argument("from") is not null || MergeTask.IsMergeTarget(c);

    public override async Task RunAsync(DatasetContext c)
    {
        if (c.Options.Shard is not null)
            throw new BuildUsageException("merge combines the shards' folders; it does not run inside a shard (drop --shard)");
        bool mergeTarget = MergeTask.IsMergeTarget(c) || string.Equals(c.Options.Target, "merge-shards", StringComparison.OrdinalIgnoreCase);
        if (!mergeTarget)
            throw new BuildUsageException($"--from is read by the merge target only (--target=merge --from=DIR1,DIR2,...), not by '{c.Options.Target}'");
        var from = c.Argument("from");
        if (string.IsNullOrWhiteSpace(from) || from == "true")
            throw new BuildUsageException("merge needs --from=DIR1,DIR2,...: the shards' data folders (holding training_datasets/<name>/) or their dataset folders");

        var shards = ShardMerge.Locate(c, from.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var plan = ShardMerge.Plan(c, shards);
        ShardMerge.Apply(c, plan, link: c.Flag("link"));
        if (!c.Flag("allow-rebuild")) await ShardMerge.CheckNothingLeftToBuildAsync(c, plan);
    }

}
