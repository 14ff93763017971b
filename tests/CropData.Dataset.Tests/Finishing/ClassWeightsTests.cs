using CropData.Dataset.Finishing;

namespace CropData.Dataset.Tests.Finishing;

// Spec stages 13-14: class pixel counts and sklearn-"balanced" weights keyed by class id.
public class ClassWeightsTests
{
    private static ClassPixelCounts Counts(params (int Class, long Pixels)[] c)
    {
        var counts = new ClassPixelCounts();
        foreach (var (cls, px) in c) counts.Add(cls, px);
        return counts;
    }

    [Fact]
    public void Balanced_weights_follow_sklearn_then_drop_class_0_and_renormalise()
    {
        // Class 3 absent; class 0 present. sklearn: n = 200, k = 4 present labels (0, 1, 2, 4),
        // w_c = 200 / (4 · count_c) → w1 = 5, w2 = 5/3, w4 = 5/6; without class 0 normalised: 6/9, 2/9, 1/9.
        var w = ClassWeights.Balanced(Counts((0, 100), (1, 10), (2, 30), (4, 60)));
        Assert.Equal(14, w.Weights.Count);
        Assert.Equal(0.0, w[0]);
        Assert.Equal(6.0 / 9, w[1], 1e-15);
        Assert.Equal(2.0 / 9, w[2], 1e-15);
        Assert.Equal(0.0, w[3]);
        Assert.Equal(1.0 / 9, w[4], 1e-15);
        Assert.All(Enumerable.Range(5, 9), i => Assert.Equal(0.0, w[i]));
        Assert.Equal(1.0, w.Weights.Sum(), 1e-15);
    }

    [Fact]
    public void Absent_class_does_not_shift_the_following_classes()
    {
        // The reference inserted 0 at index 0 of the present classes' list: with class 5 absent, class 6's weight
        // landed on id 5. Keyed by id, removing class 5's pixels leaves the others' ratios in place.
        var all = Enumerable.Range(1, 13).Select(c => (c, (long)(c * 100))).ToArray();
        var with5 = ClassWeights.Balanced(Counts(all));
        var without5 = ClassWeights.Balanced(Counts(all.Where(x => x.c != 5).ToArray()));
        Assert.Equal(0.0, without5[5]);
        Assert.Equal(with5[6] / with5[13], without5[6] / without5[13], 1e-12);
        Assert.True(without5[6] > without5[7]); // 1/600 > 1/700: still ordered by id
        Assert.Equal(1.0, without5.Weights.Sum(), 1e-15);
    }

    [Fact]
    public void Class_0_pixels_do_not_change_the_normalised_weights()
    {
        var a = ClassWeights.Balanced(Counts((1, 10), (2, 30)));
        var b = ClassWeights.Balanced(Counts((0, 1_000_000), (1, 10), (2, 30)));
        Assert.Equal(a.Weights[1], b.Weights[1], 1e-15);
        Assert.Equal(a.Weights[2], b.Weights[2], 1e-15);
    }

    [Fact]
    public void Csv_has_14_rows_with_fixed_decimals()
    {
        using var tmp = new TempFolder();
        var path = ClassWeights.Balanced(Counts((0, 5), (1, 10), (2, 30), (4, 60))).Write(tmp.Path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(15, lines.Length);
        Assert.Equal("class,weight", lines[0]);
        Assert.Equal("0,0.000000000000", lines[1]);
        Assert.Equal("1,0.666666666667", lines[2]);
        Assert.Equal("3,0.000000000000", lines[4]);
        Assert.Equal("4,0.111111111111", lines[5]);
        Assert.Equal("13,0.000000000000", lines[14]);
        Assert.EndsWith("\n", File.ReadAllText(path));
    }

    [Fact]
    public void Mask_values_outside_the_classes_are_refused()
    {
        var c = new ClassPixelCounts();
        c.Add([1, 2, 3, 200, 200]);
        Assert.Equal(2, c.OutOfRange[200]);
        var e = Assert.Throws<InvalidDataException>(() => ClassWeights.Balanced(c));
        Assert.Contains("200 (2 px)", e.Message);
        Assert.Throws<InvalidDataException>(() => ClassWeights.Balanced(Counts((0, 50))));
    }

    [Fact]
    public void Counters_merge_and_round_trip_through_csv()
    {
        var a = new ClassPixelCounts();
        a.Add([0, 1, 1, 3, 13]);
        var b = new ClassPixelCounts();
        b.Add([1, 3, 3, 3]);
        var whole = new ClassPixelCounts();
        whole.Add([0, 1, 1, 3, 13, 1, 3, 3, 3]);
        a.Merge(b);
        Assert.Equal(whole.Classes, a.Classes);
        Assert.Equal(9, a.Total);
        Assert.Equal(100.0 * 4 / 9, a.Percentages[3], 1e-12);
        using var tmp = new TempFolder();
        a.WriteCsv(tmp.File("counts.csv"));
        Assert.StartsWith("class,name,pixels\n0,No Data,1\n1,Natural Vegetation,3\n", File.ReadAllText(tmp.File("counts.csv")));
        Assert.Equal(a.Classes, ClassPixelCounts.ReadCsv(tmp.File("counts.csv")).Classes);
    }

    [Fact]
    public void Class_table_matches_the_spec()
    {
        Assert.Equal(14, CropClasses.All.Count);
        Assert.Equal("Fallow/Idle Cropland", CropClasses.NameOf(10));
        Assert.Equal("Other", CropClasses.NameOf(13));
        Assert.Equal(((byte)0xFF, (byte)0xD3, (byte)0x00), CropClasses.Rgb(3));
        Assert.Equal(14, CropClasses.All.Select(c => c.Color).Distinct().Count());
    }
}
