using CropData.Dataset.Chips;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>The role of a scene band: reflectance (int16, bilinear) or the quality band (Fmask bits: uint8, nearest).</summary>
public enum BandKind
{
    Reflectance,
    Quality,
}

/// <summary>
/// The bands of every scene, from the config (<c>bands</c>, <c>fmask_band</c>): the one rule that says which band is
/// the quality band, how it is resampled and what its pixel type is (docs/PIPELINE.md stages 8 and 9).
/// </summary>
public sealed record SceneBandSet(IReadOnlyList<string> Reflectance, string Quality)
{
    /// <summary>Reflectance bands in chip order, then the quality band: the files of one scene.</summary>
    public IEnumerable<string> All => Reflectance.Append(Quality);

    public BandKind KindOf(string band) =>
        string.Equals(band, Quality, StringComparison.Ordinal) ? BandKind.Quality
        : Reflectance.Contains(band, StringComparer.Ordinal) ? BandKind.Reflectance
        : throw new ArgumentException($"band '{band}' is neither a reflectance band ({string.Join(", ", Reflectance)}) nor the quality band {Quality}");

    public static Resampling ResamplingOf(BandKind kind) => kind == BandKind.Quality ? Resampling.Nearest : Resampling.Bilinear;

    public static RasterDataType PixelTypeOf(BandKind kind) => kind == BandKind.Quality ? RasterDataType.Byte : RasterDataType.Int16;
}

/// <summary>
/// Stage 8 for one scene band and one chip row (docs/PIPELINE.md stage 8): the band file is checked (type, the tile's
/// UTM zone, 30 m north-up), warped onto the CDL grid for the row's chips, and each chip's window written. What the
/// reproject task runs per unit, and what <see cref="ChipBuilder"/> (benchmark, equivalence tests) runs per row.
/// </summary>
public static class SceneBandWarp
{
    public static void Run(string bandPath, string tile, BandKind kind, CdlRasterInfo cdl, IReadOnlyList<ChipId> chips, ReprojectMode mode,
        Func<ChipId, string> output, WarpedChunkCache? cache = null)
    {
        foreach (var chip in chips)
            if (!cdl.Contains(chip))
                throw new InvalidDataException($"chip {chip} is not inside the CDL raster {cdl.Path}; choose a CDL that covers the AOI");
        Check(bandPath, tile, kind);
        if (kind == BandKind.Quality) Write(ChipReprojector.Reproject<byte>(bandPath, Resampling.Nearest, cdl, chips, mode, cache), output);
        else Write(ChipReprojector.Reproject<short>(bandPath, Resampling.Bilinear, cdl, chips, mode, cache), output);
    }

    /// <summary>
    /// An HLS S30 band file is int16 reflectance (Fmask: uint8) on a north-up 30 m grid in the UTM zone of its tile.
    /// Anything else verified by its CID would warp into wrong chips without a word (a Byte band reads as tiny
    /// reflectances, a 60 m file is upsampled) or fail deep in GDAL naming no file (a CRS mismatch).
    /// </summary>
    public static void Check(string path, string tile, BandKind kind)
    {
        using var ds = RasterDataset.Open(path);
        var want = SceneBandSet.PixelTypeOf(kind);
        if (ds.BandCount < 1 || ds.DataType(1) != want)
            throw new InvalidDataException($"{path}: band 1 is {(ds.BandCount < 1 ? "missing" : ds.DataType(1))}, expected {want} ({(kind == BandKind.Quality ? "Fmask bits" : "HLS surface reflectance")})");
        if (MgrsTile.TryParse(tile, out var mgrs) && ds.Epsg != mgrs.UtmEpsg)
            throw new InvalidDataException($"{path}: CRS is {(ds.Epsg is { } e ? $"EPSG:{e}" : "not an EPSG code")}, expected EPSG:{mgrs.UtmEpsg} (the UTM zone of tile {tile})");
        var gt = ds.GeoTransform;
        if (Math.Abs(gt.PixelWidth) != 30 || Math.Abs(gt.PixelHeight) != 30 || gt.RowRotation != 0 || gt.ColumnRotation != 0)
            throw new InvalidDataException(FormattableString.Invariant(
                $"{path}: pixels are {Math.Abs(gt.PixelWidth)} x {Math.Abs(gt.PixelHeight)} m, expected a north-up 30 m grid (HLS S30)"));
    }

    private static void Write<T>(ReprojectedChips<T> result, Func<ChipId, string> output) where T : unmanaged
    {
        foreach (var (chip, pixels) in result.Pixels) WarpedWindowFile.Write(output(chip), chip, pixels, result.NoData);
    }
}

/// <summary>The mask palette of the 14 classes (docs/PIPELINE.md, "13 classes"): their own colours and names.</summary>
public static class MaskPalette
{
    public static ColorTable ClassColors { get; } = new(Enumerable.Range(0, CropData.Dataset.Finishing.CropClasses.Count).Select(i =>
    {
        var (r, g, b) = CropData.Dataset.Finishing.CropClasses.Rgb(i);
        return new ColorEntry(r, g, b);
    }));

    public static IReadOnlyList<string> ClassNames { get; } = CropData.Dataset.Finishing.CropClasses.All.Select(c => c.Name).ToList();
}

/// <summary>One date of a chip after stage 8: the warped windows of its reflectance bands (chip band order) and quality band.</summary>
public sealed record WarpedDate(string SceneId, DateOnly Date, IReadOnlyList<string> Reflectance, string Quality);

/// <summary>What stage 9 made of one chip: the QA (and tracking row, null when the chip was left out) and the reclass counts.</summary>
public sealed record ChipStageResult(AssembledChip Assembled, ReclassResult Reclass)
{
    public bool Written => !Assembled.Skipped;
}

/// <summary>How stage 9 writes chip files.</summary>
public sealed record ChipWriteOptions
{
    public NaPolicy Na { get; init; } = NaPolicy.Default;
    public ChipFileOptions Files { get; init; } = new();

    /// <summary>Band descriptions of the merged chip, one per band, date by date (<c>B02 2022-03-15</c>…); null writes none, as the published chips.</summary>
    public IReadOnlyList<string>? BandDescriptions { get; init; }

    /// <summary>Metadata of the merged chip (the scene ids and dates it was made from); null writes none.</summary>
    public IReadOnlyDictionary<string, string>? MergedMetadata { get; init; }

    /// <summary>The mask's colour table; null keeps the CDL raster's (the published masks' bytes).</summary>
    public ColorTable? MaskColors { get; init; }

    /// <summary>The mask classes' names (GDAL category names); null writes none.</summary>
    public IReadOnlyList<string>? MaskClassNames { get; init; }
}

/// <summary>
/// Stage 9 for one chip (docs/PIPELINE.md stage 9): its warped windows are read (224 x 224, int16 reflectance, uint8
/// Fmask), the chip rules applied (a date without a valid Fmask pixel leaves the chip out; NA counting; clipping), the
/// CDL window reclassed, and <c>_merged.tif</c>, <c>_Fmask.tif</c> and <c>.mask.tif</c> written. What the chips task
/// runs per unit, and what <see cref="ChipBuilder"/> runs per chip.
/// </summary>
public static class ChipStage
{
    public static ChipStageResult Run(ChipId chip, string tile, IReadOnlyList<WarpedDate> dates, CdlRaster cdl, CdlReclassTable reclass,
        ChipOutputPaths outputs, ChipWriteOptions options)
    {
        var read = dates.Select(d => ReadDate(d, chip)).ToList();
        var assembled = ChipAssembly.Assemble(chip.ToString(), tile, read, options.Na);
        var classes = new byte[CdlGrid.ChipSize * CdlGrid.ChipSize];
        if (assembled.Skipped) return new ChipStageResult(assembled, new ReclassResult(0, new SortedDictionary<byte, long>()));
        var reclassed = reclass.Apply(cdl.ReadChip(chip), classes);
        ChipFiles.WriteMerged(outputs.Merged, chip, assembled.Merged, options.Files, options.BandDescriptions, options.MergedMetadata);
        ChipFiles.WriteFmask(outputs.Fmask, chip, assembled.Fmask, options.Files);
        ChipFiles.WriteMask(outputs.Mask, chip, classes, options.MaskColors ?? cdl.ColorTable, options.Files, options.MaskClassNames);
        return new ChipStageResult(assembled, reclassed);
    }

    private static ChipDate ReadDate(WarpedDate date, ChipId chip)
    {
        var reflectance = new List<short[]>();
        var noData = new List<double?>();
        foreach (var path in date.Reflectance)
        {
            var (pixels, nd) = WarpedWindowFile.Read<short>(path, chip);
            reflectance.Add(pixels);
            noData.Add(nd);
        }
        return new ChipDate(date.Date, reflectance, noData, WarpedWindowFile.Read<byte>(date.Quality, chip).Pixels);
    }
}
