using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>
/// A warp destination: a window of a CDL raster, so every destination pixel is a CDL pixel (EPSG:5070, 30 m).
/// </summary>
public sealed record DestinationGrid(CdlRasterInfo Cdl, PixelWindow Window)
{
    public int Width => Window.Width;
    public int Height => Window.Height;

    public RasterGrid Grid => Cdl.Grid.Window(Window.Column, Window.Row, Window.Width, Window.Height);

    /// <summary>
    /// The original's destination grid of one scene-band (spec stage 8): pixel-centre ranges of the band in its
    /// UTM CRS, <c>half = |round((x_max - x_min) / 2)|</c> (Python's round: half to even), the two points
    /// (x_min - half, y_min - half) and (x_max + half, y_max + half) transformed to EPSG:5070, each coordinate
    /// snapped to the nearest pixel-centre coordinate of <paramref name="cdl"/> (so clamped to its extent), and the
    /// CDL pixels whose centres lie in that box, inclusive. ≈ 7485 x 7146 px for a 3660-px tile inside the
    /// national CDL; the whole clip for a small clip such as the Kansas one.
    /// </summary>
    public static DestinationGrid Original(RasterGrid sourceBand, CdlRasterInfo cdl)
    {
        var gt = sourceBand.Transform;
        if (!gt.IsNorthUp)
            throw new RasterException($"source band grid {sourceBand} is not north-up; the original grid rule needs a UTM tile");
        double xMin = gt.OriginX + 0.5 * gt.PixelWidth, xMax = gt.OriginX + (sourceBand.Width - 0.5) * gt.PixelWidth;
        double yMax = gt.OriginY + 0.5 * gt.PixelHeight, yMin = gt.OriginY + (sourceBand.Height - 0.5) * gt.PixelHeight;
        var half = Math.Abs(Math.Round((xMax - xMin) / 2, MidpointRounding.ToEven));

        using var source = SpatialReference.FromUserInput(sourceBand.Crs);
        using var target = SpatialReference.FromEpsg(CdlGrid.Epsg);
        using var transform = new CoordinateTransform(source, target);
        double[] xs = [xMin - half, xMax + half], ys = [yMin - half, yMax + half];
        transform.TransformInPlace(xs, ys);

        int c0 = SnapColumn(xs[0], cdl), c1 = SnapColumn(xs[1], cdl);
        int r0 = SnapRow(ys[0], cdl), r1 = SnapRow(ys[1], cdl);
        var window = new PixelWindow(Math.Min(c0, c1), Math.Min(r0, r1), Math.Abs(c1 - c0) + 1, Math.Abs(r1 - r0) + 1);
        return new DestinationGrid(cdl, window);
    }

    /// <summary><see cref="Original(RasterGrid, CdlRasterInfo)"/> for a band file.</summary>
    public static DestinationGrid Original(string sourceBandPath, CdlRasterInfo cdl)
    {
        using var ds = RasterDataset.Open(sourceBandPath);
        return Original(ds.Grid, cdl);
    }

    /// <summary>The grid of the whole CDL raster window that holds <paramref name="chips"/> (for callers without a tile rule).</summary>
    public static DestinationGrid Whole(CdlRasterInfo cdl) => new(cdl, new PixelWindow(0, 0, cdl.Width, cdl.Height));

    /// <summary>The chip's pixels inside this grid; throws naming the chip when it is not fully inside.</summary>
    public PixelWindow ChipWindow(ChipId chip)
    {
        var inCdl = Cdl.ChipWindow(chip);
        var column = inCdl.Column - Window.Column;
        var row = inCdl.Row - Window.Row;
        if (column < 0 || row < 0 || column + CdlGrid.ChipSize > Width || row + CdlGrid.ChipSize > Height)
            throw new RasterException(
                $"{chip} is not fully inside the destination grid {Window} of CDL raster {Cdl.Path} " +
                "(the chip lies too far from the scene's tile)");
        return new PixelWindow(column, row, CdlGrid.ChipSize, CdlGrid.ChipSize);
    }

    // The nearest pixel centre is the centre of the pixel holding the point; a point on a pixel edge (equidistant,
    // measure zero after a projection) goes to the larger index. Clamping is the "nearest" of a point outside.
    private static int SnapColumn(double x, CdlRasterInfo cdl) =>
        (int)Math.Clamp(Math.Floor((x - cdl.OriginX) / CdlGrid.PixelSize), 0, cdl.Width - 1);

    private static int SnapRow(double y, CdlRasterInfo cdl) =>
        (int)Math.Clamp(Math.Floor((cdl.OriginY - y) / CdlGrid.PixelSize), 0, cdl.Height - 1);
}
