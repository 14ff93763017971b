using CropData.Gdal;
using CropData.Raster;
using CropData.Raster.Bench;
using CropData.Raster.Testing;

var dir = "/tmp/cropdata-bench";
var national = CdlRasterInfo.FromNationalWindow("national-like", 0, 0, 153811, 96523);
var dest = DestinationGrid.Original(SyntheticHlsTile.Grid(), national);
if (args.Length > 0 && args[0] == "layout") { Lab4.Run(Path.Combine(dir, "B02.tif"), dest.Grid); return; }
Lab4.Run(Path.Combine(dir, "B02.tif"), dest.Grid);
Lab.Run(Path.Combine(dir, "B02.tif"), dest.Grid, Resampling.Bilinear, GridTransform.Approximate);
Lab.Run(Path.Combine(dir, "Fmask.tif"), dest.Grid, Resampling.Nearest, GridTransform.Approximate);
