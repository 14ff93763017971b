using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

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
