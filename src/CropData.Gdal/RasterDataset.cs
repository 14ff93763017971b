using CropData.Gdal.Native;

namespace CropData.Gdal;

/// <summary>
/// An open raster (rasterio-like): size, georeferencing, per-band metadata and windowed reads.
/// GDAL dataset handles are not thread-safe: open one per thread. Concurrent use of one instance is detected
/// and rejected rather than left to corrupt GDAL's block cache.
/// </summary>
public sealed unsafe class RasterDataset : IDisposable
{
    private nint _handle;
    private int _busy;

    /// <summary>The file this dataset was opened from (or a description for in-memory datasets).</summary>
    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    public int BandCount { get; }

    private RasterDataset(nint handle, string path)
    {
        _handle = handle;
        Path = path;
        Width = GdalApi.GDALGetRasterXSize(handle);
        Height = GdalApi.GDALGetRasterYSize(handle);
        BandCount = GdalApi.GDALGetRasterCount(handle);
    }

    /// <summary>Opens a raster read-only. Throws <see cref="GdalException"/> naming the file when GDAL cannot.</summary>
    public static RasterDataset Open(string path)
    {
        GdalRuntime.EnsureInitialised();
        if (!File.Exists(path) && !path.StartsWith("/vsi", StringComparison.Ordinal))
            throw new GdalException($"{path}: raster file does not exist");
        GdalRuntime.ResetError();
        var h = GdalApi.GDALOpenEx(path, GdalApi.OfRaster | GdalApi.OfReadOnly | GdalApi.OfVerboseError, 0, 0, 0);
        if (h == 0) throw new GdalException($"{path}: GDAL cannot open it as a raster: {Cpl.LastError()}");
        var ds = new RasterDataset(h, path);
        if (ds.BandCount == 0)
        {
            ds.Dispose();
            throw new GdalException($"{path}: the file holds no raster bands");
        }
        return ds;
    }

    /// <summary>A new in-memory (MEM driver) dataset on <paramref name="grid"/>; with nodata, bands start as nodata unless <paramref name="fill"/> is false.</summary>
    public static RasterDataset CreateInMemory(RasterGrid grid, int bandCount, RasterDataType type, double? noData = null,
        bool fill = true)
    {
        GdalRuntime.EnsureInitialised();
        var driver = GdalRuntime.Check(GdalApi.GDALGetDriverByName("MEM"), "MEM driver");
        GdalRuntime.ResetError();
        var h = GdalApi.GDALCreate(driver, "", grid.Width, grid.Height, bandCount, (int)type, 0);
        if (h == 0)
            throw new GdalException($"in-memory raster {grid.Width}x{grid.Height}x{bandCount} {type}: {Cpl.LastError()}");
        var ds = new RasterDataset(h, $"<memory {grid.Width}x{grid.Height} {type}>");
        try
        {
            ds.SetGrid(grid);
            for (var b = 1; b <= bandCount; b++)
            {
                var band = ds.Band(b);
                if (noData is { } nd)
                {
                    GdalRuntime.Check(GdalApi.GDALSetRasterNoDataValue(band, nd), $"{ds.Path}: set nodata");
                    // MEM bands start at 0; a fresh warp target must start as nodata (gdalwarp's INIT_DEST=NO_DATA).
                    if (fill && nd != 0) GdalRuntime.Check(GdalApi.GDALFillRaster(band, nd, 0), $"{ds.Path}: fill nodata");
                }
            }
            return ds;
        }
        catch
        {
            ds.Dispose();
            throw;
        }
    }

    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(Path);

    public GeoTransform GeoTransform
    {
        get
        {
            var c = stackalloc double[6];
            if (GdalApi.GDALGetGeoTransform(Handle, c) != 0)
                throw new GdalException($"{Path}: the raster has no geotransform");
            return GeoTransform.FromArray(new ReadOnlySpan<double>(c, 6));
        }
    }

    /// <summary>The CRS as WKT ("" when the raster has none).</summary>
    public string ProjectionWkt => Cpl.Copy(GdalApi.GDALGetProjectionRef(Handle)) ?? "";

    /// <summary>The EPSG code of the raster's CRS when GDAL identifies one.</summary>
    public int? Epsg
    {
        get
        {
            var wkt = ProjectionWkt;
            if (wkt.Length == 0) return null;
            using var srs = SpatialReference.FromWkt(wkt);
            return srs.Epsg;
        }
    }

    /// <summary>The grid of this raster; the CRS is "EPSG:n" when identified, else the WKT.</summary>
    public RasterGrid Grid
    {
        get
        {
            var epsg = Epsg;
            var crs = epsg is { } e ? $"EPSG:{e}" : ProjectionWkt;
            if (crs.Length == 0) throw new GdalException($"{Path}: the raster has no CRS");
            return new RasterGrid(crs, GeoTransform, Width, Height);
        }
    }

    public RasterDataType DataType(int band)
    {
        var t = GdalApi.GDALGetRasterDataType(Band(band));
        return RasterTypes.IsKnown(t) ? (RasterDataType)t
            : throw new GdalException($"{Path}: band {band} has GDAL data type {t}, which this library does not read");
    }

    /// <summary>The band's declared nodata value, or null when none is set.</summary>
    public double? NoData(int band)
    {
        var v = GdalApi.GDALGetRasterNoDataValue(Band(band), out var ok);
        return ok != 0 ? v : null;
    }

    public ColorTable? ColorTable(int band)
    {
        var ct = GdalApi.GDALGetRasterColorTable(Band(band));
        if (ct == 0) return null;
        var n = GdalApi.GDALGetColorEntryCount(ct);
        var entries = new ColorEntry[n];
        for (var i = 0; i < n; i++)
        {
            var e = GdalApi.GDALGetColorEntry(ct, i);
            entries[i] = new ColorEntry(e[0], e[1], e[2], e[3]);
        }
        return new ColorTable(entries);
    }

    public string Description(int band) => Cpl.Copy(GdalApi.GDALGetDescription(Band(band))) ?? "";

    public (int Width, int Height) BlockSize(int band)
    {
        GdalApi.GDALGetBlockSize(Band(band), out var x, out var y);
        return (x, y);
    }

    public string DriverName => Cpl.Copy(GdalApi.GDALGetDriverShortName(GdalApi.GDALGetDatasetDriver(Handle))) ?? "";

    /// <summary>
    /// Reads a pixel window of one band (1-based) into a new row-major array. When <typeparamref name="T"/> differs
    /// from the band's type the values are converted, but only when no value can change (e.g. uint8 → int16);
    /// narrowing (int16 → uint8) is rejected instead of letting GDAL clamp silently.
    /// </summary>
    public T[] ReadWindow<T>(int band, int x, int y, int width, int height) where T : unmanaged
    {
        var buffer = new T[checked(width * height)];
        ReadWindow<T>(band, x, y, width, height, buffer);
        return buffer;
    }

    public void ReadWindow<T>(int band, int x, int y, int width, int height, Span<T> destination) where T : unmanaged
    {
        var want = RasterTypes.Of<T>();
        var have = DataType(band);
        if (!RasterTypes.Widens(have, want))
            throw new GdalException($"{Path}: band {band} is {have}; reading it as {want} could change values");
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new GdalException(
                $"{Path}: window ({x}, {y}, {width}x{height}) is not inside the {Width}x{Height} raster");
        if (destination.Length < width * height)
            throw new ArgumentException($"destination holds {destination.Length} values, the window {width * height}");
        Io(GdalApi.Read, band, x, y, width, height, destination, want);
    }

    /// <summary>Reads a whole band.</summary>
    public T[] ReadBand<T>(int band) where T : unmanaged => ReadWindow<T>(band, 0, 0, Width, Height);

    /// <summary>Reads every band, band-sequential: band b (1-based) at <c>[(b - 1) · Width · Height ..]</c>.</summary>
    public T[] ReadAllBands<T>() where T : unmanaged
    {
        int n = checked(Width * Height);
        var all = new T[checked(BandCount * n)];
        for (int b = 0; b < BandCount; b++) ReadWindow<T>(b + 1, 0, 0, Width, Height, all.AsSpan(b * n, n));
        return all;
    }

    internal void WriteWindow<T>(int band, int x, int y, int width, int height, ReadOnlySpan<T> source) where T : unmanaged
    {
        if (source.Length != width * height)
            throw new ArgumentException($"{Path}: band {band} gets {source.Length} values for a {width}x{height} window");
        fixed (T* p = source)
            Io(GdalApi.Write, band, x, y, width, height, new Span<T>(p, source.Length), RasterTypes.Of<T>());
    }

    private void Io<T>(int rw, int band, int x, int y, int width, int height, Span<T> buffer, RasterDataType type)
        where T : unmanaged
    {
        Enter();
        try
        {
            var h = Band(band);
            GdalRuntime.ResetError();
            int err;
            fixed (T* p = buffer)
                err = GdalApi.GDALRasterIO(h, rw, x, y, width, height, p, width, height, (int)type, 0, 0);
            if (err != 0)
                throw new GdalException(
                    $"{Path}: {(rw == GdalApi.Read ? "reading" : "writing")} band {band} window ({x}, {y}, {width}x{height}) failed: {Cpl.LastError()}");
        }
        finally { Exit(); }
    }

    internal void SetGrid(RasterGrid grid)
    {
        var c = stackalloc double[6];
        grid.Transform.ToArray().CopyTo(new Span<double>(c, 6));
        GdalRuntime.Check(GdalApi.GDALSetGeoTransform(Handle, c), $"{Path}: set geotransform");
        using var srs = SpatialReference.FromUserInput(grid.Crs);
        GdalRuntime.Check(GdalApi.GDALSetProjection(Handle, srs.ToWkt()), $"{Path}: set CRS {grid.Crs}");
    }

    internal void SetNoData(int band, double value) =>
        GdalRuntime.Check(GdalApi.GDALSetRasterNoDataValue(Band(band), value), $"{Path}: set nodata of band {band}");

    internal void SetDescription(int band, string description) => GdalApi.GDALSetDescription(Band(band), description);

    /// <summary>Overview levels of a band (a COG's reduced resolutions).</summary>
    public int OverviewCount(int band) => GdalApi.GDALGetOverviewCount(Band(band));

    /// <summary>
    /// Where a block of a TIFF band (or of its overview <paramref name="overview"/>, 0-based; -1 = full resolution) is
    /// stored in the file: byte offset and size from GDAL's TIFF metadata domain, or null when GDAL does not say (not a
    /// TIFF, a sparse block). Used to measure which bytes of a COG a window needs.
    /// </summary>
    public (long Offset, long Size)? TiffBlock(int band, int blockX, int blockY, int overview = -1)
    {
        var b = Band(band);
        if (overview >= 0) b = GdalRuntime.Check(GdalApi.GDALGetOverview(b, overview), $"{Path}: overview {overview} of band {band}");
        var offset = Cpl.Copy(GdalApi.GDALGetMetadataItem(b, FormattableString.Invariant($"BLOCK_OFFSET_{blockX}_{blockY}"), "TIFF"));
        var size = Cpl.Copy(GdalApi.GDALGetMetadataItem(b, FormattableString.Invariant($"BLOCK_SIZE_{blockX}_{blockY}"), "TIFF"));
        return long.TryParse(offset, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var o)
               && long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? (o, n) : null;
    }

    /// <summary>A band-level metadata item (TIFF: the GDAL_METADATA tag, inside the file).</summary>
    internal void SetBandMetadataItem(int band, string name, string value) =>
        GdalRuntime.Check(GdalApi.GDALSetMetadataItem(Band(band), name, value, null), $"{Path}: set metadata {name} of band {band}");

    /// <summary>A dataset-level metadata item (TIFF: GDAL_METADATA tag).</summary>
    internal void SetMetadataItem(string name, string value) =>
        GdalRuntime.Check(GdalApi.GDALSetMetadataItem(Handle, name, value, null), $"{Path}: set metadata {name}");

    internal void SetColorTable(int band, ColorTable table)
    {
        var ct = GdalApi.GDALCreateColorTable(1);
        try
        {
            var e = stackalloc short[4];
            for (var i = 0; i < table.Entries.Count; i++)
            {
                var c = table.Entries[i];
                e[0] = c.Red; e[1] = c.Green; e[2] = c.Blue; e[3] = c.Alpha;
                GdalApi.GDALSetColorEntry(ct, i, e);
            }
            GdalRuntime.Check(GdalApi.GDALSetRasterColorTable(Band(band), ct), $"{Path}: set colour table of band {band}");
        }
        finally { GdalApi.GDALDestroyColorTable(ct); }
    }

    /// <summary>Writes this dataset (e.g. an in-memory warp result) as a GeoTIFF or COG.</summary>
    public void SaveAs(string path, GeoTiffOptions options) => GeoTiff.CopyTo(this, path, options);

    private nint Band(int band)
    {
        if (band < 1 || band > BandCount)
            throw new ArgumentOutOfRangeException(nameof(band), $"{Path}: band {band} requested, the raster has {BandCount}");
        return GdalRuntime.Check(GdalApi.GDALGetRasterBand(Handle, band), $"{Path}: band {band}");
    }

    internal void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException($"{Path}: one GDAL dataset used by two threads at once; open one per thread");
    }

    internal void Exit() => Volatile.Write(ref _busy, 0);

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) GdalApi.GDALClose(h);
    }
}

