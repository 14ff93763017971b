using CropData.Dataset.Config;

namespace CropData.Dataset.Tests.Config;

/// <summary>The typed config checks every setting it hands out against the keys the current build unit declared.</summary>
public sealed class ConfigReadsTests
{
    private static readonly DatasetConfig Config = ConfigLoader.Parse("selection:\n  cloud_cover_threshold: 7\n", "test.yaml").Config;

    [Fact]
    public void Outside_a_declared_scope_every_key_reads()
    {
        Assert.Equal(7, Config.Selection.CloudCoverThreshold);
        Assert.Equal("Fmask", Config.FmaskBand);
    }

    [Fact]
    public void A_section_covers_its_keys_a_key_covers_itself_and_nothing_else_reads()
    {
        using (ConfigReads.Declare("task 'scenes'", ["selection", "cdl.path", "bands"]))
        {
            Assert.Equal(7, Config.Selection.CloudCoverThreshold);
            Assert.Equal(3, Config.Selection.ScenesPerChip);
            Assert.Equal(6, Config.Bands.Count);
            Assert.EndsWith(".tif", Config.Cdl.Path);
            var e = Assert.Throws<UndeclaredConfigReadException>(() => Config.Cdl.ReclassTable);
            Assert.Equal("task 'scenes' read config key 'cdl.reclass_table' without declaring it (declared: selection, cdl.path, bands); " +
                         "add it to the task's [ReadsConfig] so its units rebuild when it changes (or to [UsesConfig] if it does not change what they make)", e.Message);
            Assert.Throws<UndeclaredConfigReadException>(() => Config.FmaskBand);     // "bands" is not a prefix of "fmask_band"
            Assert.Throws<UndeclaredConfigReadException>(() => Config.Grid.Chips4326);
        }
        Assert.Equal("data/classes/cdl_total_dst.csv", Config.Cdl.ReclassTable); // the scope ended
    }

    [Fact]
    public void Where_the_settings_live_is_not_what_a_unit_makes_and_needs_no_declaration()
    {
        using (ConfigReads.Declare("task 'chips'", []))
        {
            Assert.Equal("datasets", Config.DataDir);
            Assert.Equal("sample", Config.TrainDatasetName);
            Assert.Throws<UndeclaredConfigReadException>(() => Config.Chips.Size);
        }
    }

    [Fact]
    public async Task The_scope_follows_the_units_work_onto_other_threads_and_nests()
    {
        using var outer = ConfigReads.Declare("task 'filter'", ["filter"]);
        await Task.Run(() => Assert.Equal(5, Config.Filter.MaxBadPct));
        var e = await Assert.ThrowsAsync<UndeclaredConfigReadException>(() => Task.Run(() => Config.Split.Seed));
        Assert.Contains("'split.seed'", e.Message);
        Parallel.For(0, 4, _ => Assert.Equal(0, Config.Filter.MaxNaCount));
        using (ConfigReads.Declare("task 'split'", ["split"]))
        {
            Assert.Equal("42", Config.Split.Seed);
            Assert.Throws<UndeclaredConfigReadException>(() => Config.Filter.MaxBadPct);
        }
        Assert.Equal(5, Config.Filter.MaxBadPct);
    }
}
