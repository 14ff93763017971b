using CropData.Sample;

namespace CropData.Build.Tests;

/// <summary>A row filled at once equals each pixel filled alone: the noise lattice cached along a row changes no value.</summary>
public class SyntheticReflectanceTests
{
    [Theory]
    [InlineData(0, 0, 1100L)]
    [InlineData(3, 1, 1517L)]
    [InlineData(5, 2, 2209L)]
    public void A_row_filled_at_once_equals_each_pixel_computed_alone(int band, int date, long row)
    {
        const ulong seed = 20220315;
        var classes = Enumerable.Range(0, 1250).Select(i => (byte)(i * 7 % 16)).ToArray(); // every class, and two out of range
        var filled = new short[classes.Length];
        SyntheticReflectance.FillRow(classes, band, date, 1600, row, seed, filled);
        var single = classes.Select((c, i) => SyntheticReflectance.Value(c, band, date, 1600 + i, row, seed)).ToArray();
        Assert.Equal(single, filled);
    }
}
