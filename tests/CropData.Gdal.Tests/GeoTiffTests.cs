namespace CropData.Gdal.Tests;

public class GeoTiffTests
{
    private static readonly RasterGrid Chip =
        new("EPSG:5070", GeoTransform.NorthUp(-104895, 1808445, 30), 224, 224);

    private static short[] Smooth(int seed) =>
        Enumerable.Range(0, 224 * 224).Select(i => (short)(1000 + (i % 224) * 3 + (i / 224) * 2 + (i * seed) % 17)).ToArray();

    [Theory]
    [InlineData(TiffCompression.None, false)]
    [InlineData(TiffCompression.Lzw, false)]
    [InlineData(TiffCompression.Deflate, true)]
    public void Same_pixels_give_the_same_bytes(TiffCompression compression, bool cog)
    {
        using var tmp = new TempDir();
        var options = new GeoTiffOptions { Compression = compression, Cog = cog, Predictor = true, NoData = -9999, BlockSize = 224 };
        short[][] bands = [Smooth(1), Smooth(2), Smooth(3)];
        GeoTiff.Write(tmp.File("a.tif"), Chip, bands, options);
        Thread.Sleep(1100); // a timestamp tag would differ now
        GeoTiff.Write(tmp.File("b.tif"), Chip, bands, options);
        Assert.Equal(File.ReadAllBytes(tmp.File("a.tif")), File.ReadAllBytes(tmp.File("b.tif")));
        Assert.DoesNotContain("DATETIME", TestFiles.Run("gdalinfo", $"\"{tmp.File("a.tif")}\""));
        Assert.Equal(["a.tif", "b.tif"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Written_file_reopens_with_grid_types_nodata_palette_and_descriptions()
    {
        using var tmp = new TempDir();
        var path = tmp.File("mask.tif");
        var palette = new ColorTable(Enumerable.Range(0, 256).Select(i => new ColorEntry((short)i, (short)(255 - i), 7)));
        var pixels = Enumerable.Range(0, 224 * 224).Select(i => (byte)(i % 14)).ToArray();
        GeoTiff.Write(path, Chip, [pixels], new GeoTiffOptions
        {
            // No nodata here: GDAL reports the palette entry of a nodata index with alpha 0.
            Compression = TiffCompression.Lzw, ColorTable = palette, BandDescriptions = ["class"], BlockSize = 224,
        });

        using var ds = RasterDataset.Open(path);
        Assert.Equal(Chip.Transform, ds.GeoTransform);
        Assert.Equal(5070, ds.Epsg);
        Assert.Equal(RasterDataType.Byte, ds.DataType(1));
        Assert.Null(ds.NoData(1));
        Assert.Equal(palette, ds.ColorTable(1));
        Assert.Equal("class", ds.Description(1));
        Assert.Equal((224, 224), ds.BlockSize(1));
        Assert.Equal(pixels, ds.ReadBand<byte>(1));
        var info = TestFiles.Run("gdalinfo", $"\"{path}\"");
        Assert.Contains("COMPRESSION=LZW", info);
        Assert.Contains("ID[\"EPSG\",5070]", info);
    }

    [Fact]
    public void Wrong_band_size_is_rejected_before_writing()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<ArgumentException>(() =>
            GeoTiff.Write(tmp.File("x.tif"), Chip, [new short[10]], new GeoTiffOptions()));
        Assert.Contains("x.tif", e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }
}
