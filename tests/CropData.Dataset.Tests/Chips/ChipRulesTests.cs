using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class ChipRulesTests
{
    private static ChipTrackingRow Row(double badMax, long na) => new(
        "chip_001_001", "14SPJ", [1, 1, 1], [0, 0, badMax], badMax, na,
        [new DateOnly(2022, 3, 1), new DateOnly(2022, 6, 1), new DateOnly(2022, 9, 1)]);

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(4.999, 0, true)]
    [InlineData(5, 0, false)]        // strict: bad_pct_max < 5
    [InlineData(0, 1, false)]        // na_count == 0
    [InlineData(12.5, 3, false)]
    public void Default_filter_is_bad_pct_max_below_5_and_no_na(double badMax, long na, bool keep) =>
        Assert.Equal(keep, new ChipFilterRule().Keep(Row(badMax, na)));

    [Fact]
    public void Thresholds_are_parameters()
    {
        var rule = new ChipFilterRule(MaxBadPct: 10, MaxNaCount: 5);
        Assert.True(rule.Keep(Row(9.9, 5)));
        Assert.False(rule.Keep(Row(10, 0)));
        Assert.False(rule.Keep(Row(0, 6)));
    }

    [Fact]
    public void Skip_when_any_date_has_no_valid_pixel()
    {
        var ok = new FmaskDateQa(10, 0, null, 0);
        var none = new FmaskDateQa(0, 100, 255, 50176);
        Assert.False(ChipFilterRule.Skip([ok, ok, ok]));
        Assert.True(ChipFilterRule.Skip([ok, none, ok]));
    }
}
