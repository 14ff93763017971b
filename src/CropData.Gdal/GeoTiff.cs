using System.Globalization;
using CropData.Gdal.Native;

namespace CropData.Gdal;

public enum TiffCompression { None, Lzw, Deflate }

/// <summary>How a GeoTIFF is laid out. Output is deterministic: same pixels and options → same bytes.</summary>
public sealed record GeoTiffOptions
{
    public TiffCompression Compression { get; init; } = TiffCompression.Deflate;

    /// <summary>Horizontal differencing (PREDICTOR=2) before compression; helps smooth integer data.</summary>
    public bool Predictor { get; init; }

    /// <summary>Square tile size (a multiple of 16; 224 makes one tile per chip band).</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Write a Cloud-Optimized GeoTIFF (COG driver, with nearest-neighbour overviews like HLS).</summary>
    public bool Cog { get; init; }

    /// <summary>Nodata value for every band (null = keep the source's / none).</summary>
    public double? NoData { get; init; }

    /// <summary>Palette for band 1 (single-band uint8 rasters such as CDL masks).</summary>
    public ColorTable? ColorTable { get; init; }

    /// <summary>Optional per-band descriptions (e.g. "B02 2022-03-15").</summary>
    public IReadOnlyList<string>? BandDescriptions { get; init; }

    /// <summary>
    /// Class names of band 1 (value i → names[i]), for thematic rasters such as masks: written as band metadata
    /// <c>CLASS_&lt;i&gt;=&lt;name&gt;</c> in the file's GDAL_METADATA tag (GeoTIFF has no place for category names but a
    /// .aux.xml side file, and the dataset holds no side files).
    /// </summary>
    public IReadOnlyList<string>? CategoryNames { get; init; }

    /// <summary>Dataset metadata items (sorted by name when written, so the bytes are stable).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal IReadOnlyList<string> CreationOptions(RasterDataType type)
    {
        if (BlockSize <= 0 || BlockSize % 16 != 0)
            throw new ArgumentException($"GeoTIFF block size {BlockSize} is not a positive multiple of 16");
        var block = BlockSize.ToString(CultureInfo.InvariantCulture);
        var compress = Compression switch
        {
            TiffCompression.Lzw => "LZW",
            TiffCompression.Deflate => "DEFLATE",
            _ => "NONE",
        };
        var predictor = Predictor && Compression != TiffCompression.None
            ? (type is RasterDataType.Float32 or RasterDataType.Float64 ? "3" : "2") : null;
        var o = new List<string>();
        if (Cog)
        {
            o.AddRange([$"COMPRESS={compress}", $"BLOCKSIZE={block}", "RESAMPLING=NEAREST", "NUM_THREADS=1"]);
            if (predictor is not null) o.Add("PREDICTOR=YES");
        }
        else
        {
            // Tiled (not striped) so a chip window reads few blocks; band-interleaved so one band reads alone.
            o.AddRange(["TILED=YES", $"BLOCKXSIZE={block}", $"BLOCKYSIZE={block}", $"COMPRESS={compress}", "INTERLEAVE=BAND"]);
            if (predictor is not null) o.Add($"PREDICTOR={predictor}");
        }
        return o;
    }
}

/// <summary>Writes rasters as GeoTIFF/COG through GDAL (the only way stage code creates raster files).</summary>
public static class GeoTiff
{
    /// <summary>
    /// Writes <paramref name="bands"/> (row-major, <c>grid.Width * grid.Height</c> values each) to <paramref name="path"/>.
    /// The file appears atomically (written beside it, then renamed), so a crash never leaves a half-written output.
    /// </summary>
    public static void Write<T>(string path, RasterGrid grid, IReadOnlyList<T[]> bands, GeoTiffOptions options)
        where T : unmanaged
    {
        if (bands.Count == 0) throw new ArgumentException($"{path}: no bands to write");
        var type = RasterTypes.Of<T>();
        using var mem = RasterDataset.CreateInMemory(grid, bands.Count, type);
        for (var b = 0; b < bands.Count; b++)
        {
            if (bands[b].Length != grid.Width * grid.Height)
                throw new ArgumentException(
                    $"{path}: band {b + 1} holds {bands[b].Length} values, the {grid.Width}x{grid.Height} grid needs {grid.Width * grid.Height}");
            mem.WriteWindow<T>(b + 1, 0, 0, grid.Width, grid.Height, bands[b]);
        }
        CopyTo(mem, path, options);
    }

    internal static void CopyTo(RasterDataset source, string path, GeoTiffOptions options)
    {
        ApplyMetadata(source, options);
        var driverName = options.Cog ? "COG" : "GTiff";
        var driver = GdalRuntime.Check(GdalApi.GDALGetDriverByName(driverName), $"{driverName} driver");
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.partial";
        using var creation = new StringList(options.CreationOptions(source.DataType(1)));
        try
        {
            GdalRuntime.ResetError();
            var h = GdalApi.GDALCreateCopy(driver, temp, source.Handle, 0, creation.Handle, 0, 0);
            if (h == 0) throw new GdalException($"{path}: writing {driverName} failed: {Cpl.LastError()}");
            GdalApi.GDALClose(h);
            // GDALClose cannot report a failed final flush in GDAL 3.6; a write error is still recorded.
            if (Cpl.CPLGetLastErrorNo() != 0 && !File.Exists(temp))
                throw new GdalException($"{path}: writing {driverName} failed: {Cpl.LastError()}");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void ApplyMetadata(RasterDataset ds, GeoTiffOptions options)
    {
        for (var b = 1; b <= ds.BandCount; b++)
        {
            if (options.NoData is { } nd) ds.SetNoData(b, nd);
            if (options.BandDescriptions is { } d)
            {
                if (d.Count != ds.BandCount)
                    throw new ArgumentException($"{ds.Path}: {d.Count} band descriptions for {ds.BandCount} bands");
                ds.SetDescription(b, d[b - 1]);
            }
        }
        if (options.ColorTable is { } ct) ds.SetColorTable(1, ct);
        if (options.CategoryNames is { } names)
            for (int i = 0; i < names.Count; i++) ds.SetBandMetadataItem(1, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"CLASS_{i}"), names[i]);
        foreach (var (name, value) in (options.Metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            ds.SetMetadataItem(name, value);
    }
}
