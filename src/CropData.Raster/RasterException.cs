namespace CropData.Raster;

/// <summary>A raster input does not fit the CDL-grid rules (wrong CRS, misaligned, chip outside the raster …).</summary>
public sealed class RasterException(string message) : Exception(message);
