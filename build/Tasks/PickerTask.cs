using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

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
