using System.Globalization;

namespace CropData.Gdal;

/// <summary>GDAL pixel types (values are GDALDataType's, so they cross the C API unchanged).</summary>
public enum RasterDataType
{
    Byte = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Float64 = 7,
}

/// <summary>Affine pixel → georeference transform, coefficients in GDAL order.</summary>
public readonly record struct GeoTransform(
    double OriginX, double PixelWidth, double RowRotation, double OriginY, double ColumnRotation, double PixelHeight)
{
    /// <summary>A north-up transform: upper-left edge (x, y), square pixels of <paramref name="pixelSize"/>.</summary>
    public static GeoTransform NorthUp(double originX, double originY, double pixelSize) =>
        new(originX, pixelSize, 0, originY, 0, -pixelSize);

    public double[] ToArray() => [OriginX, PixelWidth, RowRotation, OriginY, ColumnRotation, PixelHeight];

    public static GeoTransform FromArray(ReadOnlySpan<double> c) => new(c[0], c[1], c[2], c[3], c[4], c[5]);

    /// <summary>Georeferenced coordinate of a (fractional) pixel position; (0.5, 0.5) is the first pixel's centre.</summary>
    public (double X, double Y) PixelToGeo(double column, double row) =>
        (OriginX + column * PixelWidth + row * RowRotation, OriginY + column * ColumnRotation + row * PixelHeight);

    public bool IsNorthUp => RowRotation == 0 && ColumnRotation == 0 && PixelWidth > 0 && PixelHeight < 0;

    /// <summary>The transform of a window starting at pixel (column, row).</summary>
    public GeoTransform Offset(int column, int row)
    {
        var (x, y) = PixelToGeo(column, row);
        return this with { OriginX = x, OriginY = y };
    }

    public override string ToString() => string.Join(", ",
        ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>A raster grid: CRS (any definition GDAL accepts, e.g. "EPSG:5070" or WKT), transform and size.</summary>
public sealed record RasterGrid(string Crs, GeoTransform Transform, int Width, int Height)
{
    /// <summary>The sub-grid of a pixel window; throws when the window leaves the grid.</summary>
    public RasterGrid Window(int column, int row, int width, int height)
    {
        if (column < 0 || row < 0 || width <= 0 || height <= 0 || column + width > Width || row + height > Height)
            throw new ArgumentOutOfRangeException(nameof(column),
                $"window ({column}, {row}, {width}x{height}) is not inside the {Width}x{Height} grid");
        return new RasterGrid(Crs, Transform.Offset(column, row), width, height);
    }

    public override string ToString() => $"{Crs} {Width}x{Height} [{Transform}]";
}

/// <summary>One colour table entry (GDAL's c1..c4 for an RGB table: red, green, blue, alpha).</summary>
public readonly record struct ColorEntry(short Red, short Green, short Blue, short Alpha = 255);

/// <summary>An RGB palette of a single-band raster (CDL codes → colours).</summary>
public sealed class ColorTable : IEquatable<ColorTable>
{
    public IReadOnlyList<ColorEntry> Entries { get; }

    public ColorTable(IEnumerable<ColorEntry> entries)
    {
        Entries = entries.ToArray();
        if (Entries.Count is 0 or > 65536) throw new ArgumentException("a colour table needs 1..65536 entries");
    }

    public bool Equals(ColorTable? other) => other is not null && Entries.SequenceEqual(other.Entries);
    public override bool Equals(object? obj) => Equals(obj as ColorTable);
    public override int GetHashCode() => Entries.Aggregate(Entries.Count, HashCode.Combine);
}

internal static class RasterTypes
{
    public static RasterDataType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? RasterDataType.Byte :
        typeof(T) == typeof(ushort) ? RasterDataType.UInt16 :
        typeof(T) == typeof(short) ? RasterDataType.Int16 :
        typeof(T) == typeof(uint) ? RasterDataType.UInt32 :
        typeof(T) == typeof(int) ? RasterDataType.Int32 :
        typeof(T) == typeof(float) ? RasterDataType.Float32 :
        typeof(T) == typeof(double) ? RasterDataType.Float64 :
        throw new NotSupportedException($"{typeof(T).Name} is not a GDAL pixel type");

    public static bool IsKnown(int gdalType) => gdalType is >= 1 and <= 7;

    /// <summary>True when every value of <paramref name="source"/> is exactly representable in <paramref name="target"/>.</summary>
    public static bool Widens(RasterDataType source, RasterDataType target) => source == target || target switch
    {
        RasterDataType.Float64 => true,
        RasterDataType.Float32 => source is RasterDataType.Byte or RasterDataType.UInt16 or RasterDataType.Int16,
        RasterDataType.Int32 => source is RasterDataType.Byte or RasterDataType.UInt16 or RasterDataType.Int16,
        RasterDataType.UInt32 => source is RasterDataType.Byte or RasterDataType.UInt16,
        RasterDataType.Int16 or RasterDataType.UInt16 => source is RasterDataType.Byte,
        _ => false,
    };
}
