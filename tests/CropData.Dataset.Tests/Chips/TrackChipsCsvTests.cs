using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class TrackChipsCsvTests
{
    private static ChipTrackingRow Row(string id, double maxBad = 4.998405612244898, long na = 0) => new(
        id, "14SPJ", [50176, 50000, 49000], [0, 1.25, maxBad], maxBad, na,
        [new DateOnly(2022, 3, 15), new DateOnly(2022, 6, 28), new DateOnly(2022, 9, 16)]);

    [Fact]
    public void Writes_sorted_invariant_rows_with_round_trip_percentages()
    {
        var text = TrackChipsCsv.Format([Row("chip_203_337"), Row("chip_202_336", 0.001992984693877551, 3)]);
        Assert.Equal(
            "chip_id,tile,valid_first,valid_second,valid_third,bad_pct_first,bad_pct_second,bad_pct_third,bad_pct_max,na_count,first_image_date,second_image_date,third_image_date\n" +
            "chip_202_336,14SPJ,50176,50000,49000,0,1.25,0.001992984693877551,0.001992984693877551,3,2022-03-15,2022-06-28,2022-09-16\n" +
            "chip_203_337,14SPJ,50176,50000,49000,0,1.25,4.998405612244898,4.998405612244898,0,2022-03-15,2022-06-28,2022-09-16\n",
            text);
    }

    [Fact]
    public void Read_back_rows_are_identical()
    {
        var rows = new[] { Row("chip_203_335", 100.0 * 2508 / 50176), Row("chip_202_336", 100.0 * 2509 / 50176, 12) };
        var parsed = TrackChipsCsv.Parse(TrackChipsCsv.Format(rows));
        Assert.Equal(rows.OrderBy(r => r.ChipId, StringComparer.Ordinal), parsed);
        // The filter decides the same way on the reread file: 2508 px → 4.998 % kept, 2509 px → 5.0004 % dropped.
        var rule = new ChipFilterRule();
        Assert.Equal(rows.OrderBy(r => r.ChipId, StringComparer.Ordinal).Select(rule.Keep), parsed.Select(rule.Keep));
    }

    [Fact]
    public void File_round_trip_is_byte_stable()
    {
        var path = Path.Combine(Path.GetTempPath(), $"track-{Guid.NewGuid():N}.csv");
        try
        {
            TrackChipsCsv.Write(path, [Row("chip_001_002"), Row("chip_000_009")]);
            var first = File.ReadAllBytes(path);
            TrackChipsCsv.Write(path, TrackChipsCsv.Read(path));
            Assert.Equal(first, File.ReadAllBytes(path));
            Assert.NotEqual(0xEF, first[0]); // no BOM
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Four_dates_get_numbered_columns_and_read_back_identical()
    {
        var row = new ChipTrackingRow("chip_202_336", "14SPJ", [1, 2, 3, 4], [0, 0.5, 1.25, 2], 2, 0,
            [new DateOnly(2022, 3, 15), new DateOnly(2022, 6, 28), new DateOnly(2022, 8, 2), new DateOnly(2022, 9, 16)]);
        var text = TrackChipsCsv.Format([row]);
        Assert.Equal(
            "chip_id,tile,valid_1,valid_2,valid_3,valid_4,bad_pct_1,bad_pct_2,bad_pct_3,bad_pct_4,bad_pct_max,na_count,image_date_1,image_date_2,image_date_3,image_date_4\n" +
            "chip_202_336,14SPJ,1,2,3,4,0,0.5,1.25,2,2,0,2022-03-15,2022-06-28,2022-08-02,2022-09-16\n", text);
        Assert.Equal([row], TrackChipsCsv.Parse(text));
        // One table holds one date count.
        var three = Row("chip_203_337");
        Assert.Throws<ArgumentException>(() => TrackChipsCsv.Format([row, three]));
    }

    [Fact]
    public void Duplicate_chip_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => TrackChipsCsv.Format([Row("chip_001_002"), Row("chip_001_002")]));
        Assert.Contains("chip_001_002", e.Message);
    }

    [Fact]
    public void Malformed_line_names_the_line()
    {
        var text = string.Join(',', TrackChipsCsv.Header) + "\nchip_001_002,14SPJ,1,2\n";
        var e = Assert.Throws<FormatException>(() => TrackChipsCsv.Parse(text, "track_chips.csv"));
        Assert.Contains("track_chips.csv:2", e.Message);
    }
}
