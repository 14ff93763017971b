using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>
/// The warped 224 x 224 window of one scene band for one chip, as stage 8 hands it to stage 9
/// (<c>.build/work/reprojected/&lt;scene&gt;/&lt;band&gt;/&lt;chip&gt;.win</c>). An intermediate, never a dataset file,
/// so not a GeoTIFF: writing and reopening 21 GeoTIFFs per chip through GDAL (PROJ objects, TIFF directories) cost a
/// third of stage 8's time. Layout, little-endian: the 8 bytes <c>CDWIN1\n\0</c>; width and height (int32); the pixel
/// type (1 byte, GDAL's code: 1 uint8, 3 int16); a nodata flag (1 byte) and the nodata value (float64); then the
/// pixels, row-major, each row stored as differences from its previous pixel (what TIFF's horizontal predictor does),
/// zlib-compressed (its Adler-32 catches a damaged file). The same pixels always give the same bytes.
/// </summary>
public static class WarpedWindowFile
{
    public const string Extension = ".win";
    private static ReadOnlySpan<byte> Magic => "CDWIN1\n\0"u8;
    private const int HeaderSize = 8 + 4 + 4 + 1 + 1 + 8;

    public static void Write<T>(string path, ChipId chip, T[] pixels, double? noData) where T : unmanaged
    {
        const int n = CdlGrid.ChipSize * CdlGrid.ChipSize;
        if (pixels.Length != n)
            throw new ArgumentException($"{path}: the window of {chip} holds {pixels.Length} pixels, expected 224 x 224");
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), CdlGrid.ChipSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), CdlGrid.ChipSize);
        header[16] = (byte)TypeOf<T>();
        header[17] = noData is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteDoubleLittleEndian(header.AsSpan(18), noData ?? 0);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        file.Write(header);
        using var zlib = new ZLibStream(file, CompressionLevel.Fastest);
        zlib.Write(Differences(pixels));
    }

    /// <summary>The window's pixels and nodata; an error names the file and the chip when it is not a window of <typeparamref name="T"/>.</summary>
    public static (T[] Pixels, double? NoData) Read<T>(string path, ChipId chip) where T : unmanaged
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var header = new byte[HeaderSize];
        if (file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) != HeaderSize || !header.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a warped window file (stage 8 writes them; chip {chip})");
        int width = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)), height = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        if (width != CdlGrid.ChipSize || height != CdlGrid.ChipSize)
            throw new InvalidDataException($"{path}: {width}x{height} pixels, expected {CdlGrid.ChipSize}x{CdlGrid.ChipSize} (chip {chip})");
        if (header[16] != (byte)TypeOf<T>())
            throw new InvalidDataException($"{path}: {(RasterDataType)header[16]} pixels, expected {TypeOf<T>()} (chip {chip})");
        double? noData = header[17] == 0 ? null : BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(18));

        var bytes = new byte[width * height * Marshal.SizeOf<T>()];
        using var zlib = new ZLibStream(file, CompressionMode.Decompress);
        int read;
        bool more;
        try
        {
            read = zlib.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            more = zlib.ReadByte() != -1; // reads to the stream's end, where zlib checks its Adler-32
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: damaged pixel data (chip {chip}): {e.Message}", e); }
        if (read != bytes.Length || more)
            throw new InvalidDataException($"{path}: {(more ? "more than" : read.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes of pixels, expected {bytes.Length} (chip {chip})");
        return (Sums<T>(bytes, width), noData);
    }

    private static RasterDataType TypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? RasterDataType.Byte
        : typeof(T) == typeof(short) ? RasterDataType.Int16
        : throw new NotSupportedException($"warped windows are uint8 or int16, not {typeof(T).Name}");

    /// <summary>Each row as differences from its previous pixel (wrapping), little-endian bytes.</summary>
    private static byte[] Differences<T>(T[] pixels) where T : unmanaged
    {
        const int w = CdlGrid.ChipSize;
        if (typeof(T) == typeof(byte))
        {
            var p = (byte[])(object)pixels;
            var d = new byte[p.Length];
            for (int i = 0; i < p.Length; i++) d[i] = i % w == 0 ? p[i] : (byte)(p[i] - p[i - 1]);
            return d;
        }
        var s = (short[])(object)pixels;
        var o = new byte[s.Length * 2];
        for (int i = 0; i < s.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(o.AsSpan(2 * i), i % w == 0 ? s[i] : (short)(s[i] - s[i - 1]));
        return o;
    }

    private static T[] Sums<T>(byte[] bytes, int width) where T : unmanaged
    {
        if (typeof(T) == typeof(byte))
        {
            for (int i = 0; i < bytes.Length; i++) if (i % width != 0) bytes[i] = (byte)(bytes[i] + bytes[i - 1]);
            return (T[])(object)bytes;
        }
        var s = new short[bytes.Length / 2];
        for (int i = 0; i < s.Length; i++)
        {
            short v = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(2 * i));
            s[i] = i % width == 0 ? v : (short)(v + s[i - 1]);
        }
        return (T[])(object)s;
    }
}
