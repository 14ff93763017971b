using System.Diagnostics;
using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("bench")]
[TaskArgument("bench", "graph,raster,ipfs,fetch", "which benchmarks to run (default graph,raster)")]
[TaskDescription("Benchmarks (not tests): --bench=graph (5,000-unit no-op check), raster (reproject+chips vs whole-grid warps), ipfs (verified download vs raw), fetch (download.mode ranges vs whole: bytes, floor, wall time)")]
public sealed class BenchTask : FrostingTask<DatasetContext>
{
    private static readonly Dictionary<string, string> Projects = new()
    {
        ["graph"] = "src/CropData.Graph.Bench",
        ["raster"] = "src/CropData.Raster.Bench",
        ["ipfs"] = "src/CropData.Ipfs.Bench",
        ["fetch"] = "src/CropData.Fetch.Bench",
    };

    public override void Run(DatasetContext c)
    {
        var which = (c.Argument("bench") ?? "graph,raster").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in which)
        {
            if (!Projects.TryGetValue(name, out var project))
                throw new BuildUsageException($"--bench={name}: expected one of {string.Join(", ", Projects.Keys)}");
            c.Log.Information($"bench {name}: dotnet run -c Release --project {project}");
            var psi = new ProcessStartInfo("dotnet", ["run", "-c", "Release", "--project", Path.Combine(c.RepoRoot, project), "--"])
            {
                WorkingDirectory = c.RepoRoot,
            };
            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start the {name} benchmark");
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"the {name} benchmark exited with {process.ExitCode}");
        }
    }
}
