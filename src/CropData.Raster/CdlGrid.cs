using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>The national CDL grid and the chips on it (spec "Grids and names").</summary>
public static class CdlGrid
{
    /// <summary>Upper-left pixel edge of the national CDL raster, EPSG:5070.</summary>
    public const double OriginX = -2356095, OriginY = 3172605;
    public const double PixelSize = 30;
    public const int Epsg = 5070;
    public const string Crs = "EPSG:5070";
    public const int ChipSize = 224;
    public const double ChipMetres = ChipSize * PixelSize;

    /// <summary>Left and top edges of a chip: x = -2356095 + col*6720, y = 3172605 - row*6720.</summary>
    public static (double Left, double Top) ChipOrigin(ChipId chip) =>
        (OriginX + chip.Col * ChipMetres, OriginY - chip.Row * ChipMetres);

    /// <summary>The chip's 224 x 224 grid in EPSG:5070 (the transform written into every chip file).</summary>
    public static RasterGrid ChipGrid(ChipId chip)
    {
        var (left, top) = ChipOrigin(chip);
        return new RasterGrid(Crs, GeoTransform.NorthUp(left, top, PixelSize), ChipSize, ChipSize);
    }

    /// <summary>The chip containing an EPSG:5070 point (edges belong to the chip right/below).</summary>
    public static ChipId ChipAt(double x, double y) =>
        new((int)Math.Floor((OriginY - y) / ChipMetres), (int)Math.Floor((x - OriginX) / ChipMetres));

    /// <summary>The chip footprint (left, bottom, right, top) in EPSG:5070.</summary>
    public static (double Left, double Bottom, double Right, double Top) ChipBounds(ChipId chip)
    {
        var (left, top) = ChipOrigin(chip);
        return (left, top - ChipMetres, left + ChipMetres, top);
    }
}
