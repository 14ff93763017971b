using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class ChipAssemblyTests
{
    private const int Pixels = 224 * 224;

    private static ChipDate Date(int month, short value, byte fmask, int naPixels = 0)
    {
        var bands = Enumerable.Range(0, 6).Select(b =>
        {
            var px = Enumerable.Repeat((short)(value + b), Pixels).ToArray();
            for (var i = 0; i < naPixels; i++) px[i] = -9999;
            return px;
        }).ToArray();
        return new ChipDate(new DateOnly(2022, month, 15), bands, Enumerable.Repeat<double?>(-9999, 6).ToArray(),
            Enumerable.Repeat(fmask, Pixels).ToArray());
    }

    [Fact]
    public void Merged_bands_are_date_major_and_na_is_counted_before_clipping()
    {
        var dates = new[] { Date(3, 100, 64), Date(6, 200, 64, naPixels: 10), Date(9, 300, 2) };
        Array.Fill(dates[2].Fmask, (byte)68, 0, 100);
        var input = dates[1].Reflectance[0].ToArray();

        var chip = ChipAssembly.Assemble("chip_203_335", "14SPJ", dates, NaPolicy.Default);

        Assert.False(chip.Skipped);
        Assert.Equal(18, chip.Merged.Count);
        Assert.Equal(100, chip.Merged[0][Pixels - 1]);   // date 1 B02
        Assert.Equal(105, chip.Merged[5][Pixels - 1]);   // date 1 B12
        Assert.Equal(200, chip.Merged[6][Pixels - 1]);   // date 2 B02
        Assert.Equal(305, chip.Merged[17][Pixels - 1]);  // date 3 B12
        Assert.Equal(0, chip.Merged[6][0]);              // fill clipped to 0 …
        Assert.Equal(60, chip.NaCount);                  // … but counted: 10 px x 6 bands
        Assert.Equal(input, dates[1].Reflectance[0]);    // inputs untouched
        var row = chip.Row!;
        Assert.Equal([Pixels, Pixels, 100], row.Valid);
        Assert.Equal((Pixels - 100) * 100.0 / Pixels, row.BadPct[2]);
        Assert.Equal(row.BadPct[2], row.BadPctMax);
        Assert.Equal(new DateOnly(2022, 9, 15), row.ImageDates[2]);
    }

    [Fact]
    public void Chip_with_a_date_without_valid_pixels_is_skipped()
    {
        var chip = ChipAssembly.Assemble("chip_1_1", "14SPJ", [Date(3, 1, 64), Date(6, 1, 8), Date(9, 1, 64)], NaPolicy.Default);
        Assert.True(chip.Skipped);
        Assert.Null(chip.Row);
        Assert.Equal(0, chip.Qa[1].Valid);
    }

    [Fact]
    public void Dates_out_of_order_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ChipAssembly.Assemble("chip_203_335", "14SPJ", [Date(6, 1, 64), Date(3, 1, 64), Date(9, 1, 64)], NaPolicy.Default));
        Assert.Contains("chip_203_335", e.Message);
    }
}
