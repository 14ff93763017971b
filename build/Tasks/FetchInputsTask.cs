using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("fetch-inputs")]
[TaskArgument("offline", "", "download nothing: say what is missing and where to get it")]
[TaskDescription("Download the pinned real-run inputs of data.manifest.json that are missing (e.g. the national CDL), resumable, sha256-checked")]
public sealed class FetchInputsTask : AsyncFrostingTask<DatasetContext>
{
    public override async Task RunAsync(DatasetContext c)
    {
        var manifest = DataManifest.LoadFromRepo(c.RepoRoot);
        var missing = manifest.Missing(c.RepoRoot);
        if (missing.Count == 0) { c.Log.Information("fetch-inputs: every input of data.manifest.json is present"); return; }
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var fetcher = new PinnedInputFetcher(http, c.RepoRoot) { Offline = c.Argument("offline") is "true" };
        long lastReport = 0;
        var results = await fetcher.FetchMissingAsync(missing, p =>
        {
            if (p.Bytes - lastReport < 64L << 20 && p.Bytes != p.TotalBytes) return;
            lastReport = p.Bytes;
            c.Log.Information($"fetch-inputs: {p.Path} {p.Bytes >> 20} MiB" + (p.TotalBytes is { } t ? $" of {t >> 20} MiB" : ""));
        });
        foreach (var r in results)
            c.Log.Information($"fetch-inputs: {r.Entry.Path} sha256 {r.Sha256}" + (r.WasPinned ? " (matches the pin)" : " (not pinned yet: add it to data.manifest.json)"));
    }
}
