using CropData.Build.Context;
using CropData.Graph;
using CropData.Sample;

namespace CropData.Build.Tasks;

[TaskName("sample-data")]
[ReadsConfig("sample")]
[UsesConfig("cdl")] // the CDL and reclass files are the unit's inputs: their paths and bytes are in its fingerprint
// The graph's root: with --target=merge the shards' union comes first, and a failed union blocks every stage
// rather than letting them start from scratch in the merged folder (a plain build skips merge-shards).
[IsDependentOn(typeof(MergeShardsTask))]
[TaskDescription("Generate the embedded sample's inputs: synthetic-reflectance COGs of 3 real 14SPJ scenes in a CAR, static STAC catalogs")]
public sealed class SampleDataTask : AggregateTask
{
    public override bool IsAggregate => false; // every shard needs the same inputs

    public override string Version => SampleGenerator.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override bool ShouldRun(DatasetContext c) => c.Config.Sample.Enabled;

    // The whole generated tree is the unit's output: every file in it is owned, a deleted or stray file rebuilds it,
    // and the engine writes it under a lock beside the folder (datasets sharing a data_dir share it).
    public override UnitSpec Describe(string unit, DatasetContext c) => new(
        Inputs: [c.Resolve(c.Config.Cdl.Path), c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection)],
        Outputs: []) { OutputFolders = [c.Paths.SampleInputs] };

    private const string OriginalSelection = "data/reference/clarkcga/selected_tiles.csv";

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        var result = SampleGenerator.Generate(new SampleInputs(o.TempFolderFor(c.Paths.SampleInputs), c.Resolve(c.Config.Cdl.Path),
            c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection), (ulong)c.Config.Sample.Seed));
        c.Log.Information($"sample-data: {result.Cids.Count} band files (synthetic reflectance) packed into {Path.Combine(c.Paths.SampleInputs, "ipfs", "sample.car")}");
    }
}
