using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>
/// Layout of chip files. Default: uncompressed (config <c>chips.compression: NONE</c>), as the published chips
/// (1,808,174 / 52,124 bytes) — consumers read any GeoTIFF, so LZW/DEFLATE only trade CPU for disk.
/// Always tiled with one 224 x 224 block per band, band-interleaved.
/// </summary>
public sealed record ChipFileOptions
{
    public TiffCompression Compression { get; init; } = TiffCompression.None;

    /// <summary>Config value NONE / LZW / DEFLATE.</summary>
    public static ChipFileOptions FromConfig(string compression) => new()
    {
        Compression = compression.ToUpperInvariant() switch
        {
            "NONE" => TiffCompression.None,
            "LZW" => TiffCompression.Lzw,
            "DEFLATE" => TiffCompression.Deflate,
            _ => throw new ArgumentException($"chips.compression '{compression}' is not NONE, LZW or DEFLATE"),
        },
    };

    internal GeoTiffOptions Tiff(bool integerSmooth) => new()
    {
        Compression = Compression,
        BlockSize = CdlGrid.ChipSize,
        Predictor = integerSmooth && Compression != TiffCompression.None,
    };
}

/// <summary>Writers of the three chip files of spec stage 9 (EPSG:5070, 224 x 224, CDL-grid transform).</summary>
public static class ChipFiles
{
    private const int Pixels = CdlGrid.ChipSize * CdlGrid.ChipSize;

    /// <summary>
    /// <c>&lt;chip&gt;_merged.tif</c>: dates × bands int16 bands (18 for the published 3 dates × 6 bands), date-major
    /// (date 1 B02 B03 B04 B8A B11 B12, date 2 …), already NA-counted and clipped. No nodata is declared: after clipping no fill value remains.
    /// </summary>
    public static void WriteMerged(string path, ChipId chip, IReadOnlyList<short[]> bands,
        ChipFileOptions? options = null, IReadOnlyList<string>? bandDescriptions = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Check(path, chip, bands);
        var tiff = (options ?? new()).Tiff(integerSmooth: true) with { BandDescriptions = bandDescriptions, Metadata = metadata };
        GeoTiff.Write(path, CdlGrid.ChipGrid(chip), bands, tiff);
    }

    /// <summary>
    /// <c>&lt;chip&gt;_Fmask.tif</c>: one uint8 band per date, nodata 255. The original wrote int16 with nodata
    /// -9999 by reusing the merged file's profile; the values are the same Fmask bytes.
    /// </summary>
    public static void WriteFmask(string path, ChipId chip, IReadOnlyList<byte[]> dates, ChipFileOptions? options = null)
    {
        Check(path, chip, dates);
        var tiff = (options ?? new()).Tiff(integerSmooth: false) with { NoData = 255 };
        GeoTiff.Write(path, CdlGrid.ChipGrid(chip), dates, tiff);
    }

    /// <summary>
    /// <c>&lt;chip&gt;.mask.tif</c>: the reclassed CDL window, uint8, with a colour table on band 1 (the 14 classes' own
    /// colours, or the CDL's for byte-compatibility with the published masks) and, with the class colours, the class
    /// names as GDAL category names.
    /// </summary>
    public static void WriteMask(string path, ChipId chip, byte[] classes, ColorTable? colors, ChipFileOptions? options = null,
        IReadOnlyList<string>? classNames = null)
    {
        Check(path, chip, [classes]);
        var tiff = (options ?? new()).Tiff(integerSmooth: false) with { ColorTable = colors, CategoryNames = classNames };
        GeoTiff.Write(path, CdlGrid.ChipGrid(chip), [classes], tiff);
    }

    private static void Check<T>(string path, ChipId chip, IReadOnlyList<T[]> bands)
    {
        if (bands.Count == 0) throw new ArgumentException($"{path}: {chip} gets no bands");
        for (var i = 0; i < bands.Count; i++)
            if (bands[i].Length != Pixels)
                throw new ArgumentException($"{path}: {chip} band {i + 1} holds {bands[i].Length} pixels, expected 224 x 224");
    }
}

/// <summary>The CDL raster in use: chip windows of CDL codes and the colour table (one instance per thread).</summary>
public sealed class CdlRaster : IDisposable
{
    private readonly RasterDataset _dataset;
    public CdlRasterInfo Info { get; }
    public ColorTable? ColorTable { get; }

    private CdlRaster(RasterDataset dataset, CdlRasterInfo info)
    {
        _dataset = dataset;
        Info = info;
        ColorTable = dataset.ColorTable(1);
    }

    public static CdlRaster Open(string path)
    {
        var info = CdlRasterInfo.Read(path);
        var ds = RasterDataset.Open(path);
        if (ds.DataType(1) != RasterDataType.Byte)
        {
            ds.Dispose();
            throw new RasterException($"{path}: CDL raster band 1 must be uint8 codes");
        }
        return new CdlRaster(ds, info);
    }

    /// <summary>The chip's 224 x 224 CDL codes; throws naming the chip when it is not fully inside the raster.</summary>
    public byte[] ReadChip(ChipId chip)
    {
        var w = Info.ChipWindow(chip);
        return _dataset.ReadWindow<byte>(1, w.Column, w.Row, w.Width, w.Height);
    }

    public void Dispose() => _dataset.Dispose();
}
