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

    internal IReadOnlyList<string> Arguments()
    {
        var a = new List<string> { "-r", Resampling.ToString().ToLowerInvariant() };
        if (ExactTransform) a.AddRange(["-et", "0"]);
        if (FixedScale) a.AddRange(["-wo", "XSCALE=1", "-wo", "YSCALE=1"]);
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
        return ToMemory(source, target, options);
    }

    /// <summary>As <see cref="ToMemory(string, RasterGrid, WarpOptions)"/> from an open source (one thread at a time).</summary>
    public static RasterDataset ToMemory(RasterDataset source, RasterGrid target, WarpOptions options)
    {
        var sourcePath = source.Path;
        // Every source band is warped: band selection (-b) only exists in gdalwarp >= 3.7.
        var type = options.OutputType ?? source.DataType(1);
        var noData = options.DestinationNoData ?? source.NoData(1);
        var destination = RasterDataset.CreateInMemory(target, source.BandCount, type, noData);
        try
        {
            using var argv = new StringList(options.Arguments());
            var warpOptions = GdalApi.GDALWarpAppOptionsNew(argv.Handle, 0);
            if (warpOptions == 0)
                throw new GdalException($"{sourcePath}: invalid warp options [{string.Join(' ', options.Arguments())}]: {Cpl.LastError()}");
            try
            {
                var src = source.Handle;
                nint result;
                int usageError;
                source.Enter();
                try
                {
                    GdalRuntime.ResetError();
                    result = GdalApi.GDALWarp(null, destination.Handle, 1, &src, warpOptions, out usageError);
                }
                finally { source.Exit(); }
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

    /// <summary>Warps a single-band source and returns the warped pixels.</summary>
    public static T[] ToArray<T>(string sourcePath, RasterGrid target, WarpOptions options) where T : unmanaged
    {
        using var warped = ToMemory(sourcePath, target, options);
        return warped.ReadBand<T>(1);
    }
}
