using CropData.Build.Context;
using CropData.Graph;
using CropData.Sample;

namespace CropData.Build.Tasks;

[TaskName("sample-data")]
// The graph's root: with --target=merge the shards' union comes first, and a failed union blocks every stage
// rather than letting them start from scratch in the merged folder (a plain build skips merge-shards).
[IsDependentOn(typeof(MergeShardsTask))]
[TaskDescription("Generate the embedded sample's inputs: synthetic-reflectance COGs of 3 real 14SPJ scenes in a CAR, static STAC catalogs")]
public sealed class SampleDataTask : AggregateTask
{
    public override bool IsAggregate => false; // every shard needs the same inputs

    public override string Version => SampleGenerator.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override bool ShouldRun(DatasetContext c) => c.Config.Sample.Enabled;

    public override UnitSpec Describe(string unit, DatasetContext c) => new(
        Inputs: [c.Resolve(c.Config.Cdl.Path), c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection)],
        ConfigKeys: ["sample"],
        Outputs: [CarPath(c), Path.Combine(c.Paths.SampleInputs, "stac", "cmr", "catalog.json"), Path.Combine(c.Paths.SampleInputs, "stac", "easier", "catalog.json")]);

    private const string OriginalSelection = "data/reference/clarkcga/selected_tiles.csv";

    private static string CarPath(DatasetContext c) => Path.Combine(c.Paths.SampleInputs, "ipfs", "sample.car");

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        // Generated beside the final folder, then swapped in: a killed run leaves either the old inputs or none.
        var final = c.Paths.SampleInputs;
        RemoveAbandonedTemps(final);
        var temp = final + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var result = SampleGenerator.Generate(new SampleInputs(temp, c.Resolve(c.Config.Cdl.Path), c.Resolve(c.Config.Cdl.ReclassTable),
            c.Resolve(OriginalSelection), (ulong)c.Config.Sample.Seed));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temp, final);
        c.Log.Information($"sample-data: {result.Cids.Count} band files (synthetic reflectance) packed into {CarPath(c)}");
    }

    /// <summary>
    /// Deletes the temp folders of killed runs (<c>sample_inputs.tmp-PID-XXXXXXXX</c>) whose process is gone. A live
    /// process's temp is left alone: two datasets may share one data_dir, and the build lock is per dataset.
    /// </summary>
    internal static void RemoveAbandonedTemps(string final)
    {
        var parent = Path.GetDirectoryName(final)!;
        if (!Directory.Exists(parent)) return;
        foreach (var dir in Directory.EnumerateDirectories(parent, Path.GetFileName(final) + ".tmp-*"))
        {
            var rest = Path.GetFileName(dir)[(Path.GetFileName(final).Length + ".tmp-".Length)..];
            var dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && IsRunning(pid))
                continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }   // racing another cleaner; the next run tries again
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
    }
}
