using CropData.Build.Context;
using CropData.Build.Tasks;

namespace CropData.Build.Tests.Shards;

/// <summary>Which files of a shard folder travel to the merged folder (ShardMerge.Skip).</summary>
public class MergeRulesTests
{
    [Theory]
    // Results and per-unit records travel.
    [InlineData("chips/chip_203_335_merged.tif", false)]
    [InlineData("tiles/HLS.S30.T14SPJ.2022074T171051.v2.0/HLS.S30.T14SPJ.2022074T171051.v2.0.B02.tif", false)]
    [InlineData("report/chips/chip_203_335.png", false)]
    [InlineData(".build/work/stats/14SPJ.hist", false)]
    [InlineData(".build/work/qa/chip_203_335.json", false)]
    [InlineData(".build/stamps/chips/chip_203_335.json", false)]
    // One folder's engine state does not.
    [InlineData(".build/build.shard-3-of-3.lock", true)]
    [InlineData(".build/build.shard-3-of-3.lock.pid", true)]
    [InlineData(".build/build.lock", true)]
    [InlineData(".build/hashes.bin", true)]
    [InlineData(".build/stamps/chips.index", true)]
    [InlineData(".build/fetch/HLS.S30.T14SPJ.2022074T171051.v2.0.B02.tif", true)]
    [InlineData(".build/work/stats-out/band_stats.csv", true)]
    [InlineData(".build/work/split.0123456789abcdef/train_ids.csv", true)]
    // Temps of a killed shard: the engine's hidden temps, tables' "*.tmp", stamp temps.
    [InlineData("chips/.chip_203_335_merged.1a2b3c4d.tmp.tif", true)]
    [InlineData("chip_tiles.csv.tmp", true)]
    [InlineData(".build/stamps/chips/chip_203_335.json.0a1b2c3d.tmp", true)]
    public void Only_results_records_and_stamps_travel(string relative, bool skipped) =>
        Assert.Equal(skipped, ShardMerge.Skip(relative));
}
