using CropData.Dataset.Finishing;

namespace CropData.Dataset.Tests.Finishing;

/// <summary>docs/PIPELINE.md stage 14: classes with too few pixels for a meaningful class weight are named.</summary>
public class ClassCoverageTests
{
    [Fact]
    public void Classes_below_the_minimum_are_named_with_their_count_and_class_zero_never()
    {
        var pixels = new long[14];
        for (int c = 0; c < 14; c++) pixels[c] = 5000;
        pixels[0] = 0;      // no data: never warned about
        pixels[11] = 4;     // Cotton
        pixels[12] = 0;     // Sorghum absent
        var w = ClassCoverage.Warnings(pixels, 1000);
        Assert.Equal(2, w.Count);
        Assert.Contains("class 11 (Cotton) has only 4 pixels", w[0]);
        Assert.Contains("class 12 (Sorghum) has no pixel", w[1]);
        Assert.Empty(ClassCoverage.Warnings(pixels, 0));
        Assert.Single(ClassCoverage.Warnings(pixels, 4));
    }
}
