using System.Globalization;
using CropData.Dataset.Chips;
using CropData.Gdal;

namespace CropData.Raster.Tests;

/// <summary>QA on the real HLS v2.0 Fmask COG (tile 13RCN, Mexico: outside CDL coverage, so read directly).</summary>
public class RealFmaskTests
{
    private static string RealFmask => Path.Combine(Repo.Root(), "data", "reference", "hls", "HLS.S30.T13RCN.2024128T173909.v2.0.Fmask.tif");

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(3100, 250)]
    [InlineData(2000, 3436)]
    public void Qa_of_a_real_window_matches_the_gdalinfo_histogram(int x, int y)
    {
        using var tmp = new TempDir();
        using var ds = RasterDataset.Open(RealFmask);
        var window = ds.ReadWindow<byte>(1, x, y, 224, 224);
        var qa = FmaskQa.Evaluate(window);

        // Independent path: gdal_translate cuts the window, gdalinfo -hist counts each byte value.
        var cut = tmp.File("window.tif");
        Repo.Run("gdal_translate", $"-q -srcwin {x} {y} 224 224 \"{RealFmask}\" \"{cut}\"");
        var info = Repo.Run("gdalinfo", $"-hist \"{cut}\"");
        var lines = info.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains("256 buckets from -0.5 to 255.5"));
        Assert.True(at >= 0, info);
        var histogram = lines[at + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(224 * 224, histogram.Sum());
        var valid = FmaskQa.ValidValues.Sum(v => histogram[v]);
        var worst = Enumerable.Range(0, 256).Where(v => !FmaskQa.IsValid((byte)v)).Max(v => histogram[v]);
        Assert.Equal(valid, qa.Valid);
        Assert.Equal(worst * 100.0 / (224 * 224), qa.BadPct);
    }
}
