using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("fetch-inputs")]
[TaskArgument("offline", "", "download nothing: say what is missing and where to get it")]
[TaskDescription("Download the pinned inputs of data.manifest.json that the config reads and that are missing (e.g. the national CDL), resumable, sha256-checked")]
public sealed class FetchInputsTask : AsyncFrostingTask<DatasetContext>
{
    public override async Task RunAsync(DatasetContext c)
    {
        var manifest = DataManifest.LoadFromRepo(c.RepoRoot);
        // Only what this config reads and is not there: the sample needs nothing remote, a CONUS config the national CDL.
        var pinned = manifest.Files.ToDictionary(e => Path.GetFullPath(DataManifest.FullPath(c.RepoRoot, e)), StringComparer.Ordinal);
        var missing = new List<ManifestEntry>();
        var unknown = new List<string>();
        foreach (var path in c.InputFiles.Distinct(StringComparer.Ordinal))
        {
            // The embedded samples generate their inputs under ${data_dir} (sample-data, the first stage): nothing to fetch.
            if (c.Config.Sample.Enabled && path.Contains("${data_dir}", StringComparison.Ordinal)) continue;
            var full = Path.GetFullPath(c.Resolve(path));
            if (File.Exists(full)) continue;
            if (pinned.TryGetValue(full, out var entry)) missing.Add(entry);
            else unknown.Add(path);
        }
        if (unknown.Count > 0)
            throw new InvalidOperationException($"fetch-inputs: {string.Join(", ", unknown)} {(unknown.Count == 1 ? "is" : "are")} read by {c.ConfigPath} " +
                                                "but neither present nor pinned in data.manifest.json: put the file there, or pin it (path, url, sha256)");
        if (missing.Count == 0)
        {
            c.Log.Information($"fetch-inputs: nothing to fetch: the {c.InputFiles.Count} input files {c.ConfigPath} reads are present");
            return;
        }
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
