using System.Numerics;
using CropData.Dataset.Finishing;

namespace CropData.Dataset.Tests.Finishing;

// Spec stage 12: mean, population std and clipped min/max per band kind, dates pooled, numpy linear percentiles.
public class BandStatisticsTests
{
    private const int PixelsPerBand = 37;

    private static BandHistograms Histogram(short[][] chips, int pixels)
    {
        var h = new BandHistograms();
        foreach (var c in chips) h.AddChip(c, pixels);
        return h;
    }

    /// <summary>All values of a kind, pooled the original's way (bands k, k+6, k+12 of each chip).</summary>
    private static List<short> Pooled(short[][] chips, int pixels, int kind) =>
        chips.SelectMany(c => new[] { kind, kind + 6, kind + 12 }.SelectMany(b => c.Skip(b * pixels).Take(pixels))).ToList();

    public static TheoryData<ulong, int, int, int, int, int, double, double, double, double> NumpyCases => new()
    {
        // Expected values printed by numpy 1.24.2 for the same LCG chips: vals.mean(), vals.std(),
        // np.nanpercentile(vals, 1.5), np.nanpercentile(vals, 98.5) (= min/max of np.clip(vals, lo, hi)).
        { 1, 3, 37, 3000, 0, 0, 1487.2792792792793, 832.873990568349, 57.839999999999996, 2927.22 },
        { 1, 3, 37, 3000, 0, 4, 1448.177177177177, 845.6835828854677, 48.699999999999996, 2885.5999999999995 },
        { 7, 2, 5, 50, 0, 1, 23.3, 13.150792118094381, 0.87, 43.52000000000001 },
        { 7, 2, 5, 50, 0, 2, 25.066666666666666, 14.415115523489764, 2.61, 48.565 },
        { 7, 2, 5, 50, 0, 3, 22.466666666666665, 17.204133870155225, 0.435, 47.69500000000001 },
        { 11, 4, 13, 65536, 32768, 2, -373.37179487179486, 18934.247352966187, -31471.625, 31473.4 },
        { 11, 4, 13, 65536, 32768, 4, 1866.8076923076924, 18669.50124006427, -30738.35, 30827.225000000002 },
    };

    [Theory]
    [MemberData(nameof(NumpyCases))]
    public void Matches_numpy_on_the_same_values(ulong seed, int nChips, int pixels, int modulo, int offset, int kind,
        double mean, double std, double p015, double p985)
    {
        var chips = Lcg.Chips(seed, nChips, pixels, modulo, offset);
        var s = Histogram(chips, pixels).ComputeAll();
        var b = s.Bands[kind];
        Assert.Equal(nChips * 3 * pixels, b.Count);
        // Percentiles reproduce numpy's arithmetic exactly; mean/std are exact here and numpy's are within rounding.
        Assert.Equal(p015, b.Min);
        Assert.Equal(p985, b.Max);
        Assert.Equal(p015, b.PercentileLow);
        Assert.Equal(p985, b.PercentileHigh);
        Assert.Equal(mean, b.Mean, Math.Abs(mean) * 1e-14 + 1e-12);
        Assert.Equal(std, b.Std, std * 1e-12);
    }

    [Theory]
    // numpy 1.24.2: np.nanpercentile(np.array(arr, float), q)
    [InlineData(new short[] { 0, 10 }, 1.5, 0.15)]
    [InlineData(new short[] { 0, 10 }, 98.5, 9.85)]
    [InlineData(new short[] { 0, 100, 200 }, 1.5, 3.0)]
    [InlineData(new short[] { 0, 100, 200 }, 98.5, 197.0)]
    [InlineData(new short[] { 5 }, 1.5, 5.0)]
    [InlineData(new short[] { 5 }, 98.5, 5.0)]
    [InlineData(new short[] { 3, 3, 3, 4 }, 98.5, 3.955)]
    [InlineData(new short[] { 3, 3, 3, 4 }, 98.0, 3.94)]
    [InlineData(new short[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 1000 }, 1.5, 0.135)]
    [InlineData(new short[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 1000 }, 98.5, 866.0800000000002)]
    [InlineData(new short[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 1000 }, 50, 4.5)]
    [InlineData(new short[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 1000 }, 98, 821.4400000000003)]
    public void Percentile_interpolates_like_numpy(short[] values, double q, double expected)
    {
        var h = new BandHistograms(1);
        h.AddKind(0, values.Reverse().ToArray());
        Assert.Equal(expected, h.Percentile(0, q));
        var sorted = values.Select(v => (double)v).Order().ToArray();
        Assert.Equal(expected, NumpyPercentile.OfSorted(sorted, q));
    }

    [Fact]
    public void Histogram_equals_brute_force_on_random_data()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 40; trial++)
        {
            int pixels = rng.Next(1, 30);
            int nChips = rng.Next(1, 4);
            int spread = trial % 3 == 0 ? 5 : trial % 3 == 1 ? 4000 : 65536;
            var chips = Enumerable.Range(0, nChips).Select(_ =>
                Enumerable.Range(0, 18 * pixels).Select(_ => (short)(rng.Next(spread) - (spread == 65536 ? 32768 : 0))).ToArray()).ToArray();
            var stats = Histogram(chips, pixels).ComputeAll();
            for (int k = 0; k < 6; k++)
            {
                var vals = Pooled(chips, pixels, k);
                var sorted = vals.Select(v => (double)v).Order().ToArray();
                var b = stats.Bands[k];
                foreach (var q in new[] { 0.0, 1.5, 2.0, 37.3, 50.0, 98.5, 100.0 })
                {
                    var hq = new BandHistograms();
                    foreach (var c in chips) hq.AddChip(c, pixels);
                    Assert.Equal(NumpyPercentile.OfSorted(sorted, q), hq.Percentile(k, q));
                }
                double lo = NumpyPercentile.OfSorted(sorted, 1.5), hi = NumpyPercentile.OfSorted(sorted, 98.5);
                Assert.Equal(sorted.Select(v => Math.Clamp(v, lo, hi)).Min(), b.Min);
                Assert.Equal(sorted.Select(v => Math.Clamp(v, lo, hi)).Max(), b.Max);
                Assert.Equal(vals.Min(), b.ValueMin);
                Assert.Equal(vals.Max(), b.ValueMax);
                // Exact mean and population variance in rationals, compared after one rounding.
                BigInteger n = vals.Count, s = vals.Sum(v => (long)v), s2 = vals.Sum(v => (long)v * v);
                double exactMean = (double)s / (double)n;
                double exactVar = (double)(n * s2 - s * s) / (double)(n * n);
                Assert.Equal(exactMean, b.Mean, Math.Abs(exactMean) * 1e-15 + 1e-15);
                Assert.Equal(Math.Sqrt(exactVar), b.Std, Math.Sqrt(exactVar) * 1e-14 + 1e-15);
            }
        }
    }

    [Fact]
    public void Pools_band_b_with_b_plus_6_and_b_plus_12()
    {
        var chip = new short[18 * 2];
        for (int b = 0; b < 18; b++) { chip[b * 2] = (short)(b * 10); chip[b * 2 + 1] = (short)(b * 10 + 1); }
        var h = new BandHistograms();
        h.AddChip(chip, 2);
        Assert.Equal(6, h.Count(0));
        foreach (var v in new short[] { 0, 1, 60, 61, 120, 121 }) Assert.Equal(1, h.CountOf(0, v));
        foreach (var v in new short[] { 50, 51, 110, 111, 170, 171 }) Assert.Equal(1, h.CountOf(5, v));
        var h2 = new BandHistograms();
        for (int b = 0; b < 18; b++) h2.AddBand(b, chip.AsSpan(b * 2, 2));
        Assert.Equal(h.Serialize(), h2.Serialize());
    }

    [Fact]
    public void Merged_partials_equal_the_whole_and_survive_serialisation()
    {
        var chips = Lcg.Chips(99, 6, 50, 10000, 0);
        var whole = Histogram(chips, 50);
        var merged = new BandHistograms();
        using var tmp = new TempFolder();
        for (int i = 0; i < chips.Length; i++)
        {
            var part = new BandHistograms();
            part.AddChip(chips[i], 50, $"chip_{i}");
            part.Save(tmp.File($"part{i}.bandhist"));
        }
        // Shards of two partials each, then the shards merged: any grouping gives the same counts.
        for (int s = 0; s < 3; s++)
        {
            var shard = BandHistograms.Load(tmp.File($"part{2 * s}.bandhist"));
            shard.Merge(BandHistograms.Load(tmp.File($"part{2 * s + 1}.bandhist")));
            var roundTrip = BandHistograms.Deserialize(shard.Serialize());
            merged.Merge(roundTrip);
        }
        Assert.Equal(whole.Serialize(), merged.Serialize());
        Assert.Equal(whole.ComputeAll(), merged.ComputeAll(), new StatsComparer());
        // The file is compact: far below the 6 × 65,536 × 8 bytes of the dense counters.
        Assert.True(new FileInfo(tmp.File("part0.bandhist")).Length < 6 * 3 * 50 * 4);
    }

    private sealed class StatsComparer : IEqualityComparer<GlobalStats>
    {
        public bool Equals(GlobalStats? x, GlobalStats? y) => x!.Bands.SequenceEqual(y!.Bands);
        public int GetHashCode(GlobalStats obj) => 0;
    }

    [Fact]
    public void Corrupt_histogram_files_are_rejected_with_the_file_name()
    {
        var h = new BandHistograms();
        h.AddKind(2, [1, 2, 3]);
        var bytes = h.Serialize();
        Assert.Contains("x.bandhist", Assert.Throws<InvalidDataException>(() => BandHistograms.Deserialize(bytes[..^1], "x.bandhist")).Message);
        var wrongMagic = (byte[])bytes.Clone();
        wrongMagic[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => BandHistograms.Deserialize(wrongMagic, "x"));
        Assert.Throws<InvalidDataException>(() => BandHistograms.Deserialize([.. bytes, 0], "x"));
        Assert.Throws<ArgumentException>(() => new BandHistograms(6).Merge(new BandHistograms(3)));
        Assert.Throws<ArgumentException>(() => new BandHistograms().AddChip(new short[17 * 4], 4, "chip_001_001"));
        Assert.Contains("no values", Assert.Throws<InvalidOperationException>(() => new BandHistograms().ComputeAll()).Message);
    }

    [Fact]
    public void Writes_global_stats_yaml_in_the_baseline_form_and_a_band_csv()
    {
        var h = new BandHistograms();
        // Kind k holds 0, 10 (→ p1.5 = 0.15, p98.5 = 9.85, mean 5, std 5) shifted by 100·k.
        for (int k = 0; k < 6; k++) h.AddKind(k, [(short)(100 * k), (short)(100 * k + 10)]);
        var s = h.ComputeAll();
        using var tmp = new TempFolder();
        s.Write(tmp.Path);
        var yaml = File.ReadAllText(tmp.File("global_stats.yaml"));
        Assert.Equal(
            "global_stats:\n" +
            "  min: [0.15, 100.15, 200.15, 300.15, 400.15, 500.15]\n" +
            "  max: [9.85, 109.85, 209.85, 309.85, 409.85, 509.85]\n" +
            "  mean: [5.0, 105.0, 205.0, 305.0, 405.0, 505.0]\n" +
            "  std: [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]\n", yaml);
        var doc = new YamlDotNet.Serialization.Deserializer().Deserialize<Dictionary<string, Dictionary<string, List<double>>>>(yaml);
        Assert.Equal(6, doc["global_stats"]["std"].Count);
        var csv = File.ReadAllLines(tmp.File("band_stats.csv"));
        Assert.Equal("band,source_bands,pixel_count,mean,std,min,max,value_min,value_max,low_percentile,high_percentile", csv[0]);
        Assert.Equal("B02,1 7 13,2,5.0,5.0,0.15,9.85,0,10,1.5,98.5", csv[1]);
        Assert.Equal("B12,6 12 18,2,505.0,5.0,500.15,509.85,500,510,1.5,98.5", csv[6]);
    }

    [Theory]
    [InlineData(124.0, "124.0")]
    [InlineData(494.905781, "494.905781")]
    [InlineData(57.839999999999996, "57.839999999999996")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(1e20, "1.0e+20")] // repr gives 1e+20, which PyYAML would load as a string
    public void Floats_are_written_like_python_repr(double v, string text) => Assert.Equal(text, FinishingFormat.PyFloat(v));
}
