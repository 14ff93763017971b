using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("clean")]
[TaskArgument("all", "", "empty the whole dataset folder (outputs and build state), not only files no unit owns")]
[TaskDescription("Remove files of the dataset folder that no unit owns (strays, leftovers); --all removes the whole dataset folder")]
public sealed class CleanTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        if (c.Flag("all"))
        {
            // The build lock lives in .build/: keep the folder itself, empty everything else.
            foreach (var entry in Directory.EnumerateFileSystemEntries(c.Paths.Root))
            {
                if (Path.GetFileName(entry) == ".build") continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(c.Paths.State))
                if (!Path.GetFileName(entry).StartsWith("build.", StringComparison.Ordinal))
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
            c.Log.Information($"clean: emptied {c.Paths.Root} (outputs and build state)");
            return;
        }
        var (_, unowned) = c.State.DatasetFiles();
        foreach (var rel in unowned) File.Delete(Path.Combine(c.Paths.Root, rel));
        foreach (var dir in Directory.EnumerateDirectories(c.Paths.Root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            if (!dir.StartsWith(c.Paths.State, StringComparison.Ordinal) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
        c.Log.Information($"clean: removed {unowned.Count} file(s) no unit owns" + (unowned.Count > 0 ? ": " + string.Join(", ", unowned.Take(5)) + (unowned.Count > 5 ? ", ..." : "") : ""));
    }
}
