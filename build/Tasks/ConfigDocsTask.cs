using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("config-docs")]
[TaskDescription("Write docs/CONFIG.md (every configuration key: type, default, meaning, which stages read it) from the code")]
public sealed class ConfigDocsTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var path = Path.Combine(c.RepoRoot, ConfigDocs.RelativePath);
        bool changed = AtomicFile.WriteAllText(path, ConfigDocs.Render(typeof(DatasetContext).Assembly.GetTypes()));
        c.Log.Information($"config-docs: {path} {(changed ? "written" : "already current")}");
    }
}
