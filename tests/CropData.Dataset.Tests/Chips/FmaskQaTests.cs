using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class FmaskQaTests
{
    private const int Pixels = 224 * 224;

    [Fact]
    public void Valid_values_are_the_sixteen_of_the_spec()
    {
        // Spec stage 9: cirrus, cloud, shadow and snow bits clear; adjacent, water and aerosol free.
        byte[] expected = [0, 4, 32, 36, 64, 68, 96, 100, 128, 132, 160, 164, 192, 196, 224, 228];
        Assert.Equal(expected, FmaskQa.ValidValues);
        Assert.False(FmaskQa.IsValid(FmaskQa.NoData));
        Assert.All(Enumerable.Range(0, 256), v => Assert.Equal(expected.Contains((byte)v), FmaskQa.IsValid((byte)v)));
    }

    [Fact]
    public void Counts_a_hand_made_window()
    {
        var w = new byte[Pixels];
        var i = 0;
        void Fill(byte v, int n) { for (var k = 0; k < n; k++) w[i++] = v; }
        Fill(64, 20000);   // clear, low aerosol
        Fill(100, 6000);   // water + adjacent + aerosol: valid
        Fill(2, 12000);    // cloud
        Fill(8, 9000);     // cloud shadow
        Fill(255, 3176);   // outside the scene
        Assert.Equal(Pixels, i);

        var qa = FmaskQa.Evaluate(w);

        Assert.Equal(26000, qa.Valid);
        Assert.Equal((byte)2, qa.MostFrequentInvalid);
        Assert.Equal(12000, qa.MostFrequentInvalidCount);
        // The single most frequent invalid value, not the sum of invalid pixels (24176).
        Assert.Equal(12000 * 100.0 / Pixels, qa.BadPct);
    }

    [Fact]
    public void All_valid_window_has_zero_bad_pct()
    {
        var qa = FmaskQa.Evaluate(Enumerable.Repeat((byte)68, Pixels).ToArray());
        Assert.Equal(Pixels, qa.Valid);
        Assert.Equal(0, qa.BadPct);
        Assert.Null(qa.MostFrequentInvalid);
    }

    [Fact]
    public void Nodata_counts_as_invalid_and_can_be_the_worst_value()
    {
        var w = Enumerable.Repeat((byte)255, Pixels).ToArray();
        w[0] = 0;
        var qa = FmaskQa.Evaluate(w);
        Assert.Equal(1, qa.Valid);
        Assert.Equal((byte)255, qa.MostFrequentInvalid);
        Assert.Equal((Pixels - 1) * 100.0 / Pixels, qa.BadPct);
    }
}
