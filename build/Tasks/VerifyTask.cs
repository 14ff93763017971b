using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

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
