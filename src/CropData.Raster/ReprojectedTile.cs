using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>
/// The original's <c>tiles_reprojected/</c>: a whole scene-band warped onto its destination grid with GDAL's default
/// options and written as LZW GeoTIFF (≈ 1.2 s and ~25 MB per band). Only when asked (config
/// <c>reproject.write_tiles</c>) and as the benchmark's baseline; chips come from <see cref="ChipReprojector"/>.
/// </summary>
public static class ReprojectedTile
{
    /// <summary>Warps the whole destination grid in memory with GDAL defaults (approximate transformer, automatic scale).</summary>
    public static RasterDataset WarpWholeGrid(string sourceBandPath, Resampling resampling, CdlRasterInfo cdl)
    {
        using var source = RasterDataset.Open(sourceBandPath);
        var destination = DestinationGrid.Original(source.Grid, cdl);
        return Warp.ToMemory(source, destination.Grid, new WarpOptions { Resampling = resampling });
    }

    public static void Write(string sourceBandPath, Resampling resampling, CdlRasterInfo cdl, string outputPath)
    {
        using var warped = WarpWholeGrid(sourceBandPath, resampling, cdl);
        warped.SaveAs(outputPath, new GeoTiffOptions { Compression = TiffCompression.Lzw });
    }

    /// <summary>Clips a chip window out of a reprojected tile (any raster on the CDL grid).</summary>
    public static T[] ReadChip<T>(string tilePath, ChipId chip) where T : unmanaged
    {
        using var tile = RasterDataset.Open(tilePath);
        return ReadChip<T>(tile, chip);
    }

    public static T[] ReadChip<T>(RasterDataset tile, ChipId chip) where T : unmanaged
    {
        var gt = tile.GeoTransform;
        var info = new CdlRasterInfo(tile.Path, gt.OriginX, gt.OriginY, tile.Width, tile.Height);
        var w = info.ChipWindow(chip);
        return tile.ReadWindow<T>(1, w.Column, w.Row, w.Width, w.Height);
    }
}
