using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;

namespace CropData.Report.Tests;

/// <summary>The report's model from the build's tables (stage 14): each chip's status and reason by the stage-9 and
/// stage-10 rules, its side of the split, the settings lines and the notes.</summary>
public sealed class ReportFactsTests
{
    private static readonly IReadOnlyList<MapPoint> Square = [new(0, 30), new(30, 30), new(30, 0), new(0, 0), new(0, 30)];
    private static readonly DateOnly[] Dates = [new(2022, 3, 15), new(2022, 6, 8), new(2022, 9, 16)];

    private static ChipFacts Built(string id, double[] badPct, long na) =>
        new(id, "14SPJ", Square, new ChipQa(id, "14SPJ", true, null, [50000, 50100, 50176], badPct,
            new ChipTrackingRow(id, "14SPJ", [50000, 50100, 50176], badPct, badPct.Max(), na, Dates), 0), null, $"quicklooks/{id}.png");

    private static ReportFacts Facts(bool sample = true, params string[] warnings) => new()
    {
        DatasetName = "sample",
        ToolVersion = "1.2.3",
        Settings = new ReportSettings("config/config.yaml", 5, "original", new ChipFilterRule(5, 0), "42", sample),
        Chips =
        [
            Built("chip_001_001", [0.5, 1, 4.99], 0),
            Built("chip_001_002", [0.5, 5, 1], 0),
            Built("chip_001_003", [0, 0, 0], 3),
            Built("chip_001_004", [7, 0, 0], 2),
            new("chip_001_005", "14SPJ", Square, new ChipQa("chip_001_005", "14SPJ", false, "no valid Fmask pixel on 2022-09-16", [10, 20, 0], [1, 2, 100], null, 0), null, "q.png"),
            new("chip_001_006", "", Square, null, "no tile assigned", "q.png"),
        ],
        Train = ["chip_001_001"],
        Validation = ["chip_001_003"],
        Warnings = warnings,
    };

    [Fact]
    public void Each_chip_gets_its_status_reason_and_split_side()
    {
        var chips = Facts().Model().Chips.ToDictionary(c => c.ChipId);
        Assert.Equal((ChipStatus.Kept, null, "train", "quicklooks/chip_001_001.png"),
            (chips["chip_001_001"].Status, chips["chip_001_001"].Reason, chips["chip_001_001"].Split, chips["chip_001_001"].QuicklookPng));
        Assert.Equal((ChipStatus.Rejected, "bad_pct_max >= 5"), (chips["chip_001_002"].Status, chips["chip_001_002"].Reason)); // 5 is not < 5
        Assert.Equal((ChipStatus.Rejected, "na_count > 0", "validation"), (chips["chip_001_003"].Status, chips["chip_001_003"].Reason, chips["chip_001_003"].Split));
        Assert.Equal("bad_pct_max >= 5", chips["chip_001_004"].Reason); // both limits broken: the bad-pixel one is named
        Assert.Equal(3L, chips["chip_001_003"].NaCount);
        Assert.Equal([50000L, 50100, 50176], chips["chip_001_001"].Valid);

        var skipped = chips["chip_001_005"];
        Assert.Equal((ChipStatus.Skipped, "no valid Fmask pixel on 2022-09-16", null, null), (skipped.Status, skipped.Reason, skipped.NaCount, skipped.QuicklookPng));
        Assert.Equal([10L, 20, 0], skipped.Valid);
        var failed = chips["chip_001_006"];
        Assert.Equal((ChipStatus.Failed, "no tile assigned", "", null), (failed.Status, failed.Reason, failed.Tile, failed.Valid));
    }

    [Fact]
    public void Settings_lines_and_notes_say_how_the_dataset_was_made()
    {
        var model = Facts(true, "class 11 (Cotton) has only 4 pixels").Model();
        Assert.Equal("Dataset sample", model.Title);
        Assert.Equal(["config: config/config.yaml", "cloud cover threshold: 5", "reproject mode: original", "filter: bad_pct_max < 5, na_count <= 0", "split seed: 42"],
            model.Settings.Select(kv => $"{kv.Key}: {kv.Value}"));
        Assert.Equal([ReportFacts.SampleNote, "class 11 (Cotton) has only 4 pixels"], model.Notes);
        Assert.Empty(Facts(false).Model().Notes);
    }
}
