using CropData.Build.Context;
using CropData.Graph;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("reproject-tiles")]
[ReadsConfig("cdl.path", "download.mode")]
[UsesConfig("ipfs", "download.block_cache_max_mb")] // where verified blocks come from in download.mode ranges
[IsDependentOn(typeof(DownloadTask))]
[TaskDescription("Stage 8 as the original did it: whole reprojected scene bands in tiles_reprojected/ (only with reproject.write_tiles: true)")]
public sealed class ReprojectTilesTask : UnitTask<DatasetContext, SceneBand>
{
    public override bool ShouldRun(DatasetContext c) => c.Config.Reproject.WriteTiles;

    public override IEnumerable<SceneBand> Units(DatasetContext c) => c.State.SceneBands();

    public override string UnitId(SceneBand u) => $"{u.Scene}.{u.Band}";

    public override string? ShardKey(SceneBand u) => u.Tile;

    public override UnitSpec Describe(SceneBand u, DatasetContext c) => new(
        Inputs: [c.BandInput(u.Scene, u.Band), c.CdlInputFile],
        Outputs: [c.Paths.ReprojectedTile(u.Scene, u.Band)]);

    // The original's whole destination grid (about four times the tile's area, mostly nodata), LZW.
    public override void Run(SceneBand u, DatasetContext c, UnitOutputs o)
    {
        using var reads = c.ReadsByRange(u.Scene, u.Band) ? c.BandFiles.BeginReads() : null;
        var path = c.BandReadPath(u.Scene, u.Band);
        ReprojectedTile.Write(path, ChipReprojector.ResamplingFor(u.Band),
            CdlRasterInfo.Read(c.Resolve(c.Config.Cdl.Path)), o.TempPathFor(c.Paths.ReprojectedTile(u.Scene, u.Band)));
        // GDAL was told of a failed read; whatever it made of it, the unit fails rather than keep the tile.
        if (reads?.Failure is { } failure) throw new InvalidOperationException($"{u.Scene}.{u.Band} ({path}): {failure.Message}", failure);
    }
}
