using CropData.Geo;

namespace CropData.Raster.Tests;

/// <summary>The stage 8 → 9 window file (docs/PIPELINE.md stage 8: per-chip warped windows are intermediates): no GDAL.</summary>
public class WarpedWindowFileTests
{
    private static readonly ChipId Chip = ChipId.Parse("chip_203_335");

    private static short[] Reflectance(int seed)
    {
        var rng = new Random(seed);
        var p = new short[224 * 224];
        for (int i = 0; i < p.Length; i++) p[i] = i % 997 == 0 ? (short)-9999 : (short)rng.Next(short.MinValue, short.MaxValue + 1);
        return p;
    }

    [Fact]
    public void Int16_and_uint8_windows_round_trip_with_their_nodata_and_give_the_same_bytes_twice()
    {
        using var tmp = new TempDir();
        var b02 = Reflectance(1);
        WarpedWindowFile.Write(tmp.File("b02.win"), Chip, b02, -9999);
        var (back, noData) = WarpedWindowFile.Read<short>(tmp.File("b02.win"), Chip);
        Assert.Equal(b02, back);
        Assert.Equal(-9999, noData);

        var fmask = Enumerable.Range(0, 224 * 224).Select(i => (byte)(i * 7 % 256)).ToArray();
        WarpedWindowFile.Write(tmp.File("fmask.win"), Chip, fmask, null);
        var (fback, fnd) = WarpedWindowFile.Read<byte>(tmp.File("fmask.win"), Chip);
        Assert.Equal(fmask, fback);
        Assert.Null(fnd);

        WarpedWindowFile.Write(tmp.File("again.win"), Chip, b02, -9999);
        Assert.Equal(File.ReadAllBytes(tmp.File("b02.win")), File.ReadAllBytes(tmp.File("again.win")));
        // Smooth reflectance compresses (the row differences): a window is not stored raw.
        var smooth = Enumerable.Range(0, 224 * 224).Select(i => (short)(1000 + i % 224)).ToArray();
        WarpedWindowFile.Write(tmp.File("smooth.win"), Chip, smooth, -9999);
        Assert.True(new FileInfo(tmp.File("smooth.win")).Length < 224 * 224 / 10);
    }

    [Fact]
    public void A_window_of_another_type_size_or_a_damaged_file_is_an_error_naming_the_file_and_chip()
    {
        using var tmp = new TempDir();
        WarpedWindowFile.Write(tmp.File("fmask.win"), Chip, new byte[224 * 224], 255);
        var e = Assert.Throws<InvalidDataException>(() => WarpedWindowFile.Read<short>(tmp.File("fmask.win"), Chip));
        Assert.Contains("fmask.win: Byte pixels, expected Int16 (chip chip_203_335)", e.Message);

        Assert.Throws<ArgumentException>(() => WarpedWindowFile.Write(tmp.File("small.win"), Chip, new short[100], null));

        WarpedWindowFile.Write(tmp.File("b02.win"), Chip, Reflectance(2), -9999);
        var bytes = File.ReadAllBytes(tmp.File("b02.win"));
        File.WriteAllBytes(tmp.File("torn.win"), bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => WarpedWindowFile.Read<short>(tmp.File("torn.win"), Chip));
        Assert.Contains("torn.win", e.Message);
        Assert.Contains("chip_203_335", e.Message);

        File.WriteAllBytes(tmp.File("tiff.win"), [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, .. new byte[40]]);
        e = Assert.Throws<InvalidDataException>(() => WarpedWindowFile.Read<short>(tmp.File("tiff.win"), Chip));
        Assert.Contains("tiff.win: not a warped window file", e.Message);

        // One flipped bit inside the pixels: zlib's checksum (or the stream itself) refuses it.
        var flipped = (byte[])bytes.Clone();
        flipped[flipped.Length / 2] ^= 0x10;
        File.WriteAllBytes(tmp.File("flipped.win"), flipped);
        e = Assert.Throws<InvalidDataException>(() => WarpedWindowFile.Read<short>(tmp.File("flipped.win"), Chip));
        Assert.Contains("flipped.win", e.Message);
    }
}
