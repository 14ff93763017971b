using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class NaPolicyTests
{
    [Fact]
    public void Default_counts_minus_1000_and_the_band_nodata_then_clips_negatives()
    {
        short[] px = [-1000, -9999, -5, 0, 7, -1000, 12000];
        var n = NaPolicy.Default.CountAndClip(px, bandNoData: -9999);
        Assert.Equal(3, n);
        Assert.Equal(new short[] { 0, 0, 0, 0, 7, 0, 12000 }, px);
    }

    [Fact]
    public void Original_behaviour_counts_only_minus_1000()
    {
        // The published pipeline's defect: HLS v2.0 fill (-9999) silently became 0 reflectance.
        short[] px = [-1000, -9999, -9999, 3];
        Assert.Equal(1, NaPolicy.OriginalBehaviour.CountAndClip(px, bandNoData: -9999));
        Assert.Equal(new short[] { 0, 0, 0, 3 }, px);
    }

    [Fact]
    public void Configured_values_replace_the_default_list()
    {
        var policy = new NaPolicy { Values = [-1, 0], CountBandNoData = false };
        short[] px = [-1, 0, 0, -1000, 5];
        Assert.Equal(3, policy.CountAndClip(px, bandNoData: null));
    }

    [Fact]
    public void Band_without_declared_nodata_counts_only_the_list()
    {
        short[] px = [-9999, -1000];
        Assert.Equal(1, NaPolicy.Default.CountAndClip(px, bandNoData: null));
    }
}
