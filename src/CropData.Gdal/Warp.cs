using System.Globalization;
using CropData.Gdal.Native;

namespace CropData.Gdal;

public enum Resampling { Nearest, Bilinear, Cubic, Average, Mode }

/// <summary>How to warp a source onto a target grid. The defaults are gdalwarp's defaults.</summary>
public sealed record WarpOptions
{
    public Resampling Resampling { get; init; } = Resampling.Nearest;

    /// <summary>
    /// Use the exact transformer (<c>-et 0</c>) instead of GDAL's approximate one (0.125 px error threshold,
    /// linear interpolation along each destination row of a warp chunk).
    /// </summary>
    public bool ExactTransform { get; init; }

    /// <summary>
    /// <c>-wo XSCALE=1 -wo YSCALE=1</c>: fix the resampling kernel scale instead of letting GDAL derive it from each
    /// chunk's source/destination size ratio, so a sub-window warps with the kernel the whole grid used.
    /// </summary>
    public bool FixedScale { get; init; }

    /// <summary>Nodata of the output bands (null = the source band's nodata). Output starts filled with it.</summary>
    public double? DestinationNoData { get; init; }

    /// <summary>Output pixel type (null = the source band's type).</summary>
    public RasterDataType? OutputType { get; init; }

    /// <summary>1-based source bands to warp (null = all).</summary>
    public IReadOnlyList<int>? Bands { get; init; }

    internal IReadOnlyList<string> Arguments()
    {
        var a = new List<string> { "-r", Resampling.ToString().ToLowerInvariant() };
        if (ExactTransform) a.AddRange(["-et", "0"]);
        if (FixedScale) a.AddRange(["-wo", "XSCALE=1", "-wo", "YSCALE=1"]);
        if (Bands is { } bands)
            foreach (var b in bands) a.AddRange(["-b", b.ToString(CultureInfo.InvariantCulture)]);
        return a;
    }
}

/// <summary>gdalwarp as a library call onto an explicit target grid, in memory.</summary>
public static unsafe class Warp
{
    /// <summary>
    /// Warps <paramref name="sourcePath"/> onto <paramref name="target"/> into an in-memory dataset (read it with
    /// <see cref="RasterDataset.ReadWindow{T}(int,int,int,int,int)"/> or save it with <see cref="RasterDataset.SaveAs"/>).
    /// Source nodata is honoured; pixels no source pixel reaches hold the destination nodata.
    /// </summary>
    public static RasterDataset ToMemory(string sourcePath, RasterGrid target, WarpOptions options)
    {
        using var source = RasterDataset.Open(sourcePath);
        var bands = options.Bands ?? Enumerable.Range(1, source.BandCount).ToArray();
        if (bands.Count == 0) throw new ArgumentException($"{sourcePath}: no bands selected to warp");
        var type = options.OutputType ?? source.DataType(bands[0]);
        var noData = options.DestinationNoData ?? source.NoData(bands[0]);
        var destination = RasterDataset.CreateInMemory(target, bands.Count, type, noData);
        try
        {
            using var argv = new StringList(options.Arguments());
            var warpOptions = GdalApi.GDALWarpAppOptionsNew(argv.Handle, 0);
            if (warpOptions == 0)
                throw new GdalException($"{sourcePath}: invalid warp options [{string.Join(' ', options.Arguments())}]: {Cpl.LastError()}");
            try
            {
                var src = source.Handle;
                GdalRuntime.ResetError();
                var result = GdalApi.GDALWarp(null, destination.Handle, 1, &src, warpOptions, out var usageError);
                if (result == 0 || usageError != 0)
                    throw new GdalException(
                        $"{sourcePath}: warp onto {target} failed: {Cpl.LastError()}");
            }
            finally { GdalApi.GDALWarpAppOptionsFree(warpOptions); }
            return destination;
        }
        catch
        {
            destination.Dispose();
            throw;
        }
    }

    /// <summary>Warps one band (the first of <see cref="WarpOptions.Bands"/>, default 1) and returns its pixels.</summary>
    public static T[] ToArray<T>(string sourcePath, RasterGrid target, WarpOptions options) where T : unmanaged
    {
        var o = options.Bands is null ? options with { Bands = [1] } : options;
        using var warped = ToMemory(sourcePath, target, o);
        return warped.ReadBand<T>(1);
    }
}
