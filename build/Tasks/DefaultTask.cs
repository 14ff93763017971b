using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("Default")]
[IsDependentOn(typeof(ManifestTask))]
[TaskDescription("Build the whole dataset: aoi -> tiles -> search -> scenes -> cids -> download -> reproject -> chips -> filter -> split -> stats -> report -> export -> manifest")]
public sealed class DefaultTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        c.Log.Information($"dataset: {c.Paths.Root}");
        if (File.Exists(c.Paths.ReportIndex)) c.Log.Information($"report:  {c.Paths.ReportIndex}");
    }
}
