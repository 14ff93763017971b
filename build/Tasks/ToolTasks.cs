using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;
using CropData.Ipfs.Import;

namespace CropData.Build.Tasks;

[TaskName("cid")]
[TaskArgument("file", "PATH", "the file whose CID to compute")]
[TaskDescription("Print the CID a Kubo node would give a file (ipfs add --only-hash --cid-version=1), without a node: --file=PATH")]
public sealed class CidTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var file = c.Argument("file") ?? throw new BuildUsageException("the cid target needs --file=PATH");
        var full = Path.GetFullPath(file);
        if (!File.Exists(full)) throw new FileNotFoundException($"--file={file}: no such file", full);
        // The CID is the last line of stdout, so scripts can take it with `tail -1`.
        c.Log.Information($"cid: {full} (UnixFS, CIDv1, raw leaves, 256 KiB chunks, 174 links per node)");
        Console.Out.WriteLine(CidCalculator.ForFile(full));
    }
}

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

[TaskName("picker")]
[TaskArgument("out", "PATH", "where to write the picker page (default <data_dir>/aoi_picker.html)")]
[IsDependentOn(typeof(TilesTask))]
[TaskDescription("Write the AOI picker web page (self-contained HTML: draw or click chips, download an AOI GeoJSON the config accepts)")]
public sealed class PickerTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        // Beside the datasets, not in one: no unit owns the page, and a dataset holds only what its units made.
        var path = c.Argument("out") is { } o ? Path.GetFullPath(o) : Path.Combine(c.DataDir, "aoi_picker.html");
        var chips = c.Grid.Chips;
        var tiles = File.Exists(c.Paths.ChipTilesCsv) ? ChipTilesCsv.Read(c.Paths.ChipTilesCsv) : null;
        AoiPickerPage.Write(path, chips, tiles);
        c.Log.Information($"picker: {path} ({chips.Count} chips); open it in a browser, draw an AOI, and set aoi.geojson to the downloaded file");
    }
}

[TaskName("convert-centroids")]
[TaskDescription("Regenerate data/grid/s2_tile_centroids.csv from the Sentinel-2 tiling-grid centroid shapefile (data/reference/s2grid)")]
public sealed class ConvertCentroidsTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var zip = Path.Combine(c.RepoRoot, "data", "reference", "s2grid", "sentinel2_tiling_grid_centroids.zip");
        var csv = c.Resolve(c.Config.Grid.TileCentroids);
        S2TileCentroids.ConvertShapefileZip(zip, csv);
        c.Log.Information($"convert-centroids: {csv}");
    }
}
