using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>
/// GDAL raster C API (gdal.h, gdal_utils.h). Every char* that GDAL owns is returned as nint and copied with
/// <see cref="Cpl.Copy"/>: a string return type would make the marshaller free GDAL's buffer.
/// </summary>
internal static unsafe partial class GdalApi
{
    internal const uint OfReadOnly = 0x00, OfUpdate = 0x01, OfRaster = 0x02, OfVerboseError = 0x40;
    internal const int Read = 0, Write = 1;

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALOpenEx(string path, uint flags, nint allowedDrivers, nint openOptions, nint siblingFiles);

    // void in GDAL 3.6, CPLErr from 3.7: declaring void is correct for both (the return register is ignored).
    [LibraryImport(GdalLibrary.Name)]
    internal static partial void GDALClose(nint dataset);

    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetRasterXSize(nint dataset);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetRasterYSize(nint dataset);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetRasterCount(nint dataset);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetGeoTransform(nint dataset, double* transform);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALSetGeoTransform(nint dataset, double* transform);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetProjectionRef(nint dataset);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int GDALSetProjection(nint dataset, string wkt);

    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetRasterBand(nint dataset, int band);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetRasterDataType(nint band);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALGetBlockSize(nint band, out int x, out int y);
    [LibraryImport(GdalLibrary.Name)] internal static partial double GDALGetRasterNoDataValue(nint band, out int success);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALSetRasterNoDataValue(nint band, double value);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALFillRaster(nint band, double real, double imaginary);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetRasterColorTable(nint band);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALSetRasterColorTable(nint band, nint table);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetDescription(nint majorObject);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void GDALSetDescription(nint majorObject, string description);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALGetMetadataItem(nint majorObject, string name, string? domain);

    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetOverviewCount(nint band);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetOverview(nint band, int index);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int GDALSetMetadataItem(nint majorObject, string name, string value, string? domain);

    [LibraryImport(GdalLibrary.Name)]
    internal static partial int GDALRasterIO(nint band, int rwFlag, int xOff, int yOff, int xSize, int ySize,
        void* buffer, int bufXSize, int bufYSize, int bufType, int pixelSpace, int lineSpace);

    // Colour tables: GPI_RGB = 1; entries are four shorts (c1..c4 = r, g, b, alpha).
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALCreateColorTable(int interpretation);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALDestroyColorTable(nint table);
    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALGetColorEntryCount(nint table);
    [LibraryImport(GdalLibrary.Name)] internal static partial short* GDALGetColorEntry(nint table, int index);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALSetColorEntry(nint table, int index, short* entry);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALGetDriverByName(string name);

    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetDatasetDriver(nint dataset);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALGetDriverShortName(nint driver);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALCreate(nint driver, string path, int xSize, int ySize, int bands, int type, nint options);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALCreateCopy(nint driver, string path, nint source, int strict, nint options,
        nint progress, nint progressData);

    [LibraryImport(GdalLibrary.Name)] internal static partial int GDALAddBand(nint dataset, int type, nint options);

    // gdal_utils.h: the library form of gdalwarp / gdal_translate. Option objects copy their argv.
    [LibraryImport(GdalLibrary.Name)] internal static partial nint GDALWarpAppOptionsNew(nint argv, nint forBinary);
    [LibraryImport(GdalLibrary.Name)] internal static partial void GDALWarpAppOptionsFree(nint options);

    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GDALWarp(string? destination, nint destinationDataset, int sourceCount, nint* sources,
        nint options, out int usageError);
}
