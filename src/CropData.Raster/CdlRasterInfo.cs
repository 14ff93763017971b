using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>A pixel window (column, row, width, height).</summary>
public readonly record struct PixelWindow(int Column, int Row, int Width, int Height)
{
    public override string ToString() => $"({Column}, {Row}, {Width}x{Height})";
}

/// <summary>
/// The extent of a CDL raster on the national CDL grid (EPSG:5070, 30 m, origin aligned to -2356095 / 3172605):
/// the national raster or any aligned clip such as <c>data/cdl/2021_30m_cdls_kansas_clip.tif</c>.
/// </summary>
public sealed record CdlRasterInfo
{
    /// <summary>The file (or a description when the extent is virtual).</summary>
    public string Path { get; }
    public double OriginX { get; }
    public double OriginY { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Column/row of this raster's first pixel on the national CDL grid.</summary>
    public int NationalColumn { get; }
    public int NationalRow { get; }

    public CdlRasterInfo(string path, double originX, double originY, int width, int height)
    {
        var col = (originX - CdlGrid.OriginX) / CdlGrid.PixelSize;
        var row = (CdlGrid.OriginY - originY) / CdlGrid.PixelSize;
        if (col != Math.Round(col) || row != Math.Round(row))
            throw new RasterException(
                $"{path}: origin ({originX}, {originY}) is not on the national CDL grid (-2356095 + k*30, 3172605 - k*30)");
        if (width <= 0 || height <= 0) throw new RasterException($"{path}: empty CDL extent {width}x{height}");
        (Path, OriginX, OriginY, Width, Height) = (path, originX, originY, width, height);
        (NationalColumn, NationalRow) = ((int)col, (int)row);
    }

    /// <summary>Reads the extent of a CDL GeoTIFF and checks it is EPSG:5070, north-up 30 m and grid-aligned.</summary>
    public static CdlRasterInfo Read(string path)
    {
        using var ds = RasterDataset.Open(path);
        var gt = ds.GeoTransform;
        if (ds.Epsg != CdlGrid.Epsg)
            throw new RasterException($"{path}: CDL raster must be EPSG:5070, it is {(ds.Epsg is { } e ? $"EPSG:{e}" : "an unidentified CRS")}");
        if (!gt.IsNorthUp || gt.PixelWidth != CdlGrid.PixelSize || gt.PixelHeight != -CdlGrid.PixelSize)
            throw new RasterException($"{path}: CDL raster must be north-up with 30 m pixels, its transform is [{gt}]");
        return new CdlRasterInfo(path, gt.OriginX, gt.OriginY, ds.Width, ds.Height);
    }

    /// <summary>A virtual extent on the national grid (no file), e.g. the national raster for grid computations.</summary>
    public static CdlRasterInfo FromNationalWindow(string description, int column, int row, int width, int height) =>
        new(description, CdlGrid.OriginX + column * CdlGrid.PixelSize, CdlGrid.OriginY - row * CdlGrid.PixelSize, width, height);

    public RasterGrid Grid => new(CdlGrid.Crs, GeoTransform.NorthUp(OriginX, OriginY, CdlGrid.PixelSize), Width, Height);

    /// <summary>Where the chip's 224 x 224 pixels lie in this raster; throws naming the chip when it is not fully inside.</summary>
    public PixelWindow ChipWindow(ChipId chip)
    {
        var column = chip.Col * CdlGrid.ChipSize - NationalColumn;
        var row = chip.Row * CdlGrid.ChipSize - NationalRow;
        if (column < 0 || row < 0 || column + CdlGrid.ChipSize > Width || row + CdlGrid.ChipSize > Height)
            throw new RasterException(
                $"{chip} (pixels {column}..{column + CdlGrid.ChipSize - 1} x {row}..{row + CdlGrid.ChipSize - 1}) is not fully inside " +
                $"the {Width}x{Height} CDL raster {Path}");
        return new PixelWindow(column, row, CdlGrid.ChipSize, CdlGrid.ChipSize);
    }

    public bool Contains(ChipId chip)
    {
        var column = chip.Col * CdlGrid.ChipSize - NationalColumn;
        var row = chip.Row * CdlGrid.ChipSize - NationalRow;
        return column >= 0 && row >= 0 && column + CdlGrid.ChipSize <= Width && row + CdlGrid.ChipSize <= Height;
    }

    /// <summary>Centre x of column <paramref name="column"/> (0-based) of this raster.</summary>
    public double CentreX(int column) => OriginX + (column + 0.5) * CdlGrid.PixelSize;
    public double CentreY(int row) => OriginY - (row + 0.5) * CdlGrid.PixelSize;
}
