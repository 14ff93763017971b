using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CropData.Gdal.Native;

[assembly: InternalsVisibleTo("CropData.Gdal.Tests")]

namespace CropData.Gdal;

/// <summary>A transformer hook: sees every transform call of a warp (dst pixel/line → src pixel/line).</summary>
internal interface ITransformHook
{
    /// <returns>GDAL's TRUE (1) / FALSE (0).</returns>
    unsafe int Transform(int dstToSrc, int count, double* x, double* y, double* z, int* success);

    /// <summary>An exception thrown inside the callback (it cannot cross into GDAL); the caller rethrows it.</summary>
    Exception? Failure { get; set; }
}

/// <summary>Warp through the low-level API (GDALWarpOptions + GDALWarpOperation), mirroring gdalwarp's set-up.</summary>
internal static unsafe class LowLevelWarp
{

    /// <summary>The options as GDAL serialises them (diagnostics and the layout test of the struct offsets).</summary>
    public static string Describe(nint options) => WarpApi.XmlToString(WarpApi.GDALSerializeWarpOptions(options));

    /// <summary>gdalwarp's default error threshold of the approximate transformer, in pixels.</summary>
    public const double DefaultErrorThreshold = 0.125;

    /// <summary>
    /// Builds warp options as gdalwarp does for one band onto a destination it created: INIT_DEST=NO_DATA, source and
    /// destination nodata, working type = band type, 64 MB warp memory. The transformer is left for the caller
    /// (<see cref="Hook"/>). Free with <see cref="Destroy"/>.
    /// </summary>
    public static nint CreateOptions(RasterDataset source, RasterDataset destination, Resampling resampling,
        IReadOnlyList<(string Key, string Value)> extra, double? srcNoData, double? dstNoData, RasterDataType workingType)
    {
        var o = WarpApi.GDALCreateWarpOptions();
        nint list = 0;
        list = WarpApi.CSLSetNameValue(list, "INIT_DEST", "NO_DATA");
        foreach (var (k, v) in extra) list = WarpApi.CSLSetNameValue(list, k, v);
        Marshal.WriteIntPtr(o, WarpOptionsLayout.WarpOptions, list);
        Marshal.WriteInt32(o, WarpOptionsLayout.ResampleAlg, resampling switch
        {
            Resampling.Nearest => 0, Resampling.Bilinear => 1, Resampling.Cubic => 2, Resampling.Average => 5, Resampling.Mode => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(resampling)),
        });
        Marshal.WriteInt32(o, WarpOptionsLayout.WorkingDataType, (int)workingType);
        Marshal.WriteIntPtr(o, WarpOptionsLayout.SrcDs, source.Handle);
        Marshal.WriteIntPtr(o, WarpOptionsLayout.DstDs, destination.Handle);
        Marshal.WriteInt32(o, WarpOptionsLayout.BandCount, 1);
        Marshal.WriteIntPtr(o, WarpOptionsLayout.SrcBands, IntArray(1));
        Marshal.WriteIntPtr(o, WarpOptionsLayout.DstBands, IntArray(1));
        if (srcNoData is { } s)
        {
            Marshal.WriteIntPtr(o, WarpOptionsLayout.SrcNoDataReal, DoubleArray(s));
            Marshal.WriteIntPtr(o, WarpOptionsLayout.SrcNoDataImag, DoubleArray(0));
        }
        if (dstNoData is { } d)
        {
            Marshal.WriteIntPtr(o, WarpOptionsLayout.DstNoDataReal, DoubleArray(d));
            Marshal.WriteIntPtr(o, WarpOptionsLayout.DstNoDataImag, DoubleArray(0));
        }
        Marshal.WriteIntPtr(o, WarpOptionsLayout.Progress, WarpApi.Export("GDALDummyProgress"));
        return o;
    }

    /// <summary>Plain gdalwarp transformer set on options (no hook).</summary>
    public static void SetApproxTransformer(nint options, nint approxArg)
    {
        Marshal.WriteIntPtr(options, WarpOptionsLayout.Transformer, WarpApi.Export("GDALApproxTransform"));
        Marshal.WriteIntPtr(options, WarpOptionsLayout.TransformerArg, approxArg);
    }

    /// <summary>Routes the options' transformer through <paramref name="hook"/>; returns the GCHandle to free afterwards.</summary>
    public static GCHandle Hook(nint options, ITransformHook hook)
    {
        var handle = GCHandle.Alloc(hook);
        Marshal.WriteIntPtr(options, WarpOptionsLayout.Transformer, (nint)(delegate* unmanaged<nint, int, int, double*, double*, double*, int*, int>)&HookCallback);
        Marshal.WriteIntPtr(options, WarpOptionsLayout.TransformerArg, GCHandle.ToIntPtr(handle));
        return handle;
    }

    [UnmanagedCallersOnly]
    private static int HookCallback(nint arg, int dstToSrc, int count, double* x, double* y, double* z, int* success)
    {
        var hook = (ITransformHook)GCHandle.FromIntPtr(arg).Target!;
        try
        {
            return hook.Transform(dstToSrc, count, x, y, z, success);
        }
        catch (Exception e)
        {
            // Refusing the points makes GDAL skip them; the warp's caller sees Failure and throws, so a bug can never
            // pass as nodata pixels.
            hook.Failure ??= e;
            for (var i = 0; i < count; i++) success[i] = 0;
            return 0;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with GDAL debug messages of this thread collected into <paramref name="lines"/>
    /// (thread-local handler and CPL_DEBUG, so other threads and the global quiet handler are untouched).
    /// </summary>
    public static void CaptureDebug(List<string> lines, Action action)
    {
        var handle = GCHandle.Alloc(lines);
        WarpApi.CPLPushErrorHandlerEx((nint)(delegate* unmanaged<int, int, nint, void>)&DebugHandler, GCHandle.ToIntPtr(handle));
        WarpApi.CPLSetThreadLocalConfigOption("CPL_DEBUG", "ON");
        try { action(); }
        finally
        {
            WarpApi.CPLSetThreadLocalConfigOption("CPL_DEBUG", null);
            WarpApi.CPLPopErrorHandler();
            handle.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static void DebugHandler(int errorClass, int errorNumber, nint message)
    {
        var lines = (List<string>)GCHandle.FromIntPtr(WarpApi.CPLGetErrorHandlerUserData()).Target!;
        lines.Add(Cpl.Copy(message) ?? "");
    }

    /// <summary>Warps the destination region, chunked by GDAL (source windows computed by GDAL).</summary>
    public static void Run(nint options, int x, int y, int w, int h, string what) =>
        Operate(options, what, op => WarpApi.GDALChunkAndWarpImage(op, x, y, w, h));

    /// <summary>Warps one destination region from an explicit source window, in one piece.</summary>
    public static void RunRegion(nint options, (int X, int Y, int W, int H) dst, (int X, int Y, int W, int H) src, string what) =>
        Operate(options, what, op => WarpApi.GDALWarpRegion(op, dst.X, dst.Y, dst.W, dst.H, src.X, src.Y, src.W, src.H));

    private static void Operate(nint options, string what, Func<nint, int> action)
    {
        var op = WarpApi.GDALCreateWarpOperation(options);
        if (op == 0) throw new GdalException($"{what}: invalid warp options: {Cpl.LastError()}");
        try
        {
            GdalRuntime.ResetError();
            if (action(op) != 0) throw new GdalException($"{what}: warp failed: {Cpl.LastError()}");
        }
        finally { WarpApi.GDALDestroyWarpOperation(op); }
    }

    /// <summary>Frees options and the arrays/lists in them (GDALDestroyWarpOptions does not free the transformer).</summary>
    public static void Destroy(nint options)
    {
        if (options != 0) WarpApi.GDALDestroyWarpOptions(options);
    }

    private static nint IntArray(int v)
    {
        var p = WarpApi.VSIMalloc(sizeof(int));
        *(int*)p = v;
        return p;
    }

    private static nint DoubleArray(double v)
    {
        var p = WarpApi.VSIMalloc(sizeof(double));
        *(double*)p = v;
        return p;
    }
}
