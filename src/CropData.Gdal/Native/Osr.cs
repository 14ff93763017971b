using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>OGR spatial reference (OSR) and coordinate transformation (OCT) entry points.</summary>
internal static partial class Osr
{
    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint OSRNewSpatialReference(string? wkt);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void OSRDestroySpatialReference(nint srs);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OSRSetFromUserInput(nint srs, string definition);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int OSRImportFromEPSG(nint srs, int code);

    /// <summary>0 = OAMS_TRADITIONAL_GIS_ORDER: x = easting/longitude always (a pitfall of the system GDAL, see CONTRIBUTING.md).</summary>
    [LibraryImport(GdalLibrary.Name)]
    internal static partial void OSRSetAxisMappingStrategy(nint srs, int strategy);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int OSRExportToWkt(nint srs, out nint wkt);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint OSRGetAuthorityCode(nint srs, string? targetKey);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint OSRGetAuthorityName(nint srs, string? targetKey);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int OSRAutoIdentifyEPSG(nint srs);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int OSRIsSame(nint a, nint b);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial nint OCTNewCoordinateTransformation(nint source, nint target);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial void OCTDestroyCoordinateTransformation(nint ct);

    [LibraryImport(GdalLibrary.Name)]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial int OCTTransform(nint ct, int count, [In, Out] double[] x, [In, Out] double[] y, [In, Out] double[]? z);
}
