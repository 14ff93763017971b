namespace CropData.Gdal.Tests;

public class RasterDatasetTests
{
    [Fact]
    public void Reads_the_real_kansas_cdl_clip()
    {
        using var ds = RasterDataset.Open(TestFiles.KansasCdl);
        Assert.Equal((1000, 1000, 1), (ds.Width, ds.Height, ds.BandCount));
        Assert.Equal(RasterDataType.Byte, ds.DataType(1));
        Assert.Equal(5070, ds.Epsg);
        Assert.Equal(GeoTransform.NorthUp(-106095, 1822605, 30), ds.GeoTransform);
        var ct = ds.ColorTable(1);
        Assert.NotNull(ct);
        Assert.Equal(256, ct!.Entries.Count);
        Assert.Equal(new ColorEntry(255, 211, 0, 255), ct.Entries[1]);   // corn yellow
        Assert.Equal("GTiff", ds.DriverName);
    }

    [Fact]
    public void Window_reads_match_gdal_location_info()
    {
        using var ds = RasterDataset.Open(TestFiles.KansasCdl);
        var window = ds.ReadWindow<byte>(1, 40, 472, 224, 224);
        // gdallocationinfo reads the same pixels through another code path.
        foreach (var (x, y) in new[] { (40, 472), (263, 695), (100, 500), (150, 600) })
        {
            var v = TestFiles.Run("gdallocationinfo", $"-valonly \"{TestFiles.KansasCdl}\" {x} {y}").Trim();
            Assert.Equal(v, window[(y - 472) * 224 + (x - 40)].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Widening_reads_convert_and_narrowing_reads_are_rejected()
    {
        using var ds = RasterDataset.Open(TestFiles.KansasCdl);
        var bytes = ds.ReadWindow<byte>(1, 0, 0, 50, 50);
        var shorts = ds.ReadWindow<short>(1, 0, 0, 50, 50);
        Assert.Equal(bytes.Select(b => (short)b), shorts);
        using var tmp = new TempDir();
        var path = tmp.File("int16.tif");
        GeoTiff.Write(path, new RasterGrid("EPSG:32614", GeoTransform.NorthUp(600000, 4400040, 30), 4, 4),
            [new short[] { -9999, 0, 300, 12000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }], new GeoTiffOptions());
        using var i16 = RasterDataset.Open(path);
        var e = Assert.Throws<GdalException>(() => i16.ReadWindow<byte>(1, 0, 0, 4, 4));
        Assert.Contains(path, e.Message);
        Assert.Contains("Int16", e.Message);
    }

    [Fact]
    public void Reads_the_real_hls_fmask_cog()
    {
        using var ds = RasterDataset.Open(TestFiles.RealFmask);
        Assert.Equal((3660, 3660), (ds.Width, ds.Height));
        Assert.Equal(32613, ds.Epsg);
        Assert.Equal(255, ds.NoData(1));
        Assert.Equal((256, 256), ds.BlockSize(1));
        Assert.Equal(GeoTransform.NorthUp(300000, 3300000, 30), ds.GeoTransform);
        var all = ds.ReadBand<byte>(1);
        // gdalinfo -stats of this file: min 64, max 240 (no nodata pixels).
        Assert.Equal((byte)64, all.Min());
        Assert.Equal((byte)240, all.Max());
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir", "B02.tif");
        var e = Assert.Throws<GdalException>(() => RasterDataset.Open(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Garbage_file_is_an_error_naming_it()
    {
        using var tmp = new TempDir();
        var path = tmp.File("garbage.tif");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        var e = Assert.Throws<GdalException>(() => RasterDataset.Open(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Truncated_tiff_is_an_error_naming_it()
    {
        using var tmp = new TempDir();
        var path = tmp.File("HLS.truncated.Fmask.tif");
        var bytes = File.ReadAllBytes(TestFiles.RealFmask);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<GdalException>(() =>
        {
            using var ds = RasterDataset.Open(path);
            ds.ReadBand<byte>(1);
        });
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Reading_leaves_no_aux_xml_beside_the_input()
    {
        using var tmp = new TempDir();
        var path = tmp.File("cdl.tif");
        File.Copy(TestFiles.KansasCdl, path);
        using (var ds = RasterDataset.Open(path))
        {
            ds.ReadBand<byte>(1);
            _ = ds.ColorTable(1);
            _ = ds.Epsg;
        }
        Assert.Equal(["cdl.tif"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
