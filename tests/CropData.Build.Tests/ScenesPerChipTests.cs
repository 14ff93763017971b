using CropData.Dataset.Chips;
using CropData.Dataset.Scenes;
using CropData.Gdal;
using CropData.Sample;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 16: dates are data. The sample built with <c>selection.scenes_per_chip: 4</c> (its fourth clear scene,
/// 2022-08-02, is in the generated catalogs and CAR) gives 24-band merged chips, 4-band Fmask chips, four-date
/// tracking columns and statistics pooled over the four dates (docs/PIPELINE.md stages 5 and 9).
/// </summary>
public class ScenesPerChipTests
{
    [Fact]
    public async Task Four_dates_per_chip_flow_through_selection_chips_tracking_stats_and_export()
    {
        using var b = await SampleBuild.WithInputsAsync("selection:\n  scenes_per_chip: 4");
        await b.BuildOkAsync();

        var selected = SelectedScenesCsv.ReadFile(b.File("selected_scenes.csv"));
        Assert.Equal([0, 1, 2, 3], selected.Select(s => s.Slot.Index));
        Assert.Contains(selected, s => s.Scene.SceneId == SampleGenerator.FourthScene);
        var dates = selected.OrderBy(s => s.Slot).Select(s => s.Scene.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(["2022-03-15", "2022-06-28", "2022-08-02", "2022-09-16"], dates);

        var header = File.ReadLines(b.File("track_chips.csv")).First();
        Assert.Equal(string.Join(',', TrackChipsCsv.HeaderFor(4)), header);
        var rows = TrackChipsCsv.Read(b.File("track_chips.csv"));
        Assert.Equal(15, rows.Count); // chip_204_338 still has no valid pixel under the snow of 2022-09-16
        Assert.All(rows, r => Assert.Equal(4, r.DateCount));

        foreach (var chip in new[] { "chip_202_336", "chip_203_337" })
        {
            using var merged = RasterDataset.Open(b.File($"chips/{chip}_merged.tif"));
            Assert.Equal(24, merged.BandCount);
            Assert.Equal("B02 2022-08-02", merged.Description(13));
            Assert.Equal("B12 2022-09-16", merged.Description(24));
            using var fmask = RasterDataset.Open(b.File($"chips/../chips_fmask/{chip}_Fmask.tif"));
            Assert.Equal(4, fmask.BandCount);
        }
        GlobalStatsCheck.AssertMatchesChips(b.Dataset, bandKinds: 6);
        Assert.Contains("input_channels: 24", File.ReadAllText(b.File("export/baseline/" + CropData.Dataset.Finishing.ReleaseLayouts.BaselineConfigSnippet)));
        // TerraTorch's chips_df.csv takes three dates: the first, middle (element 4 // 2) and last.
        Assert.Contains("chip_202_336,14SPJ,2022-03-15,2022-08-02,2022-09-16", File.ReadAllText(b.File("export/huggingface/chips_df.csv")));
        await b.BuildOkAsync("--target=verify");
    }
}
