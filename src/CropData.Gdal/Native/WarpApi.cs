using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>
/// The low-level warper (gdalwarper.h, gdal_alg.h): warp options, transformers and warp operations. Used where the
/// gdalwarp library call cannot express what is needed (a custom transformer).
/// </summary>
internal static unsafe partial class WarpApi
{
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALCreateWarpOptions();
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALDestroyWarpOptions(nint options);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALSerializeWarpOptions(nint options);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALCreateWarpOperation(nint options);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALDestroyWarpOperation(nint operation);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int GDALChunkAndWarpImage(nint operation, int dstXOff, int dstYOff, int dstXSize, int dstYSize);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int GDALWarpRegion(nint operation, int dstXOff, int dstYOff, int dstXSize, int dstYSize,
        int srcXOff, int srcYOff, int srcXSize, int srcYSize);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial nint GDALCreateGenImgProjTransformer2(nint srcDataset, nint dstDataset, nint options);

    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALDestroyGenImgProjTransformer(nint arg);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial nint GDALCreateApproxTransformer(nint baseTransformer, nint baseArg, double maxError);

    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALApproxTransformerOwnsSubtransformer(nint arg, int owns);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALDestroyApproxTransformer(nint arg);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int GDALApproxTransform(nint arg, int dstToSrc, int count, double* x, double* y, double* z, int* success);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int GDALGenImgProjTransform(nint arg, int dstToSrc, int count, double* x, double* y, double* z, int* success);

    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALSerializeTransformer(nint function, nint arg);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint CPLSerializeXMLTree(nint node);
    [LibraryImport(GdalLibrary.Name)] internal static partial void CPLDestroyXMLNode(nint node);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint CSLSetNameValue(nint list, string name, string value);

    [LibraryImport(GdalLibrary.Name)] internal static partial void CSLDestroy(nint list);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint VSIMalloc(nuint size);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void CPLPushErrorHandlerEx(nint handler, nint userData);

    [LibraryImport(GdalLibrary.Name)] internal static partial void CPLPopErrorHandler();

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void CPLSetThreadLocalConfigOption(string key, string? value);

    [LibraryImport(GdalLibrary.Name)] internal static partial nint CPLGetErrorHandlerUserData();

    internal static nint Export(string name) =>
        NativeLibrary.TryGetExport(GdalLibrary.Handle, name, out var p) ? p
            : throw new GdalException($"libgdal does not export {name}; GDAL >= 3.6 is required");

    /// <summary>Serialises a GDAL XML tree (and frees it).</summary>
    internal static string XmlToString(nint node)
    {
        if (node == 0) return "";
        var s = CPLSerializeXMLTree(node);
        try { return Cpl.Copy(s) ?? ""; }
        finally { Cpl.VSIFree(s); CPLDestroyXMLNode(node); }
    }
}

/// <summary>
/// Field offsets of <c>GDALWarpOptions</c> on 64-bit platforms (layout unchanged from GDAL 2.0 through 3.x).
/// Every write is checked once against <c>GDALSerializeWarpOptions</c> in the tests.
/// </summary>
internal static class WarpOptionsLayout
{
    public const int WarpOptions = 0, WarpMemoryLimit = 8, ResampleAlg = 16, WorkingDataType = 20;
    public const int SrcDs = 24, DstDs = 32, BandCount = 40, SrcBands = 48, DstBands = 56;
    public const int SrcAlphaBand = 64, DstAlphaBand = 68;
    public const int SrcNoDataReal = 72, SrcNoDataImag = 80, DstNoDataReal = 88, DstNoDataImag = 96;
    public const int Progress = 104, ProgressArg = 112, Transformer = 120, TransformerArg = 128;
}
