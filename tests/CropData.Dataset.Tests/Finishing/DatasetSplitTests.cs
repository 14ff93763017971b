using CropData.Dataset.Finishing;

namespace CropData.Dataset.Tests.Finishing;

// Spec stage 11 (split) with the fix of its reference defect: side = f(seed, chip id) only.
public class DatasetSplitTests
{
    [Theory]
    // Expected u from an independent Python hashlib computation of the same rule.
    [InlineData("42", "chip_203_335", 0.01943512610779885, SplitSide.Train)]
    [InlineData("42", "chip_257_266", 0.4591254201419396, SplitSide.Train)]
    [InlineData("42", "chip_000_000", 0.9146087595066745, SplitSide.Validation)]
    [InlineData("7", "chip_203_335", 0.7137814159900229, SplitSide.Train)]
    public void Uniform_number_is_sha256_of_seed_and_full_chip_id(string seed, string chip, double u, SplitSide side)
    {
        Assert.Equal(u, DatasetSplit.UniformOf(seed, chip));
        Assert.Equal(u, DatasetSplit.UniformOf(seed, ChipIds.Short(chip)));
        Assert.Equal(side, DatasetSplit.SideOf(seed, chip));
    }

    private static List<string> Ids(int n) =>
        Enumerable.Range(0, n).Select(i => $"chip_{i / 80:000}_{i % 80:000}").ToList();

    [Fact]
    public void Split_does_not_depend_on_input_order_or_spelling()
    {
        var ids = Ids(500);
        var a = DatasetSplit.Split(ids, "42");
        var shuffled = ids.OrderBy(i => DatasetSplit.UniformOf("shuffle", i)).Select(ChipIds.Short).ToList();
        var b = DatasetSplit.Split(shuffled.Concat(shuffled.Take(10)), "42");
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(500, a.Train.Count + a.Validation.Count);
        Assert.Equal(a.Train.Order(StringComparer.Ordinal), a.Train);
    }

    [Fact]
    public void Adding_or_removing_chips_never_moves_the_others()
    {
        var ids = Ids(400);
        var full = DatasetSplit.Split(ids, "42");
        var fewer = DatasetSplit.Split(ids.Where((_, i) => i % 7 != 0), "42");
        var more = DatasetSplit.Split(ids.Concat(Enumerable.Range(0, 50).Select(i => $"chip_{300 + i}_001")), "42");
        Assert.All(fewer.Train, id => Assert.Contains(id, full.Train));
        Assert.All(fewer.Validation, id => Assert.Contains(id, full.Validation));
        Assert.All(full.Train, id => Assert.Contains(id, more.Train));
        Assert.All(full.Validation, id => Assert.Contains(id, more.Validation));
    }

    // docs/PIPELINE.md stage 11, split.method: exact (the default).
    [Theory]
    [InlineData(0.8)]
    [InlineData(0.7)]
    public void Exact_split_puts_floor_of_fraction_times_n_in_train_for_every_n(double fraction)
    {
        for (int n = 1; n <= 120; n++)
        {
            var s = DatasetSplit.Split(Ids(n), "42", fraction, SplitMethod.Exact);
            Assert.Equal((int)Math.Floor(fraction * n + 1e-9), s.Train.Count);
            Assert.Equal(n, s.Train.Count + s.Validation.Count);
            Assert.Empty(s.Train.Intersect(s.Validation));
        }
        // The original's int(0.8 * n) on the 22 kept chips of the issue: 17/5 (the threshold rule gave 19/3 there).
        Assert.Equal((17, 5), (DatasetSplit.Split(Ids(22), "42", 0.8, SplitMethod.Exact) is var e ? (e.Train.Count, e.Validation.Count) : default));
    }

    [Fact]
    public void Exact_split_moves_at_most_one_other_chip_when_one_chip_is_added_or_removed()
    {
        var pool = Ids(300);
        for (int n = 5; n < 200; n += 7)
        {
            var before = DatasetSplit.Split(pool.Take(n), "42", 0.8, SplitMethod.Exact);
            var after = DatasetSplit.Split(pool.Take(n + 1), "42", 0.8, SplitMethod.Exact);
            var added = ChipIds.Short(pool[n]);
            int moved = before.Train.Count(id => after.Validation.Contains(id)) + before.Validation.Count(id => after.Train.Contains(id));
            Assert.True(moved <= 1, $"n={n}: {moved} chips changed sides when {added} was added");
            // Removing it again restores the split exactly.
            var back = DatasetSplit.Split(pool.Take(n + 1).Where(id => ChipIds.Short(id) != added), "42", 0.8, SplitMethod.Exact);
            Assert.Equal(before.Train, back.Train);
        }
    }

    [Fact]
    public void Exact_split_is_independent_of_input_order_and_the_seed_matters()
    {
        var ids = Ids(200);
        var a = DatasetSplit.Split(ids, "42", 0.8, SplitMethod.Exact);
        var b = DatasetSplit.Split(ids.AsEnumerable().Reverse(), "42", 0.8, SplitMethod.Exact);
        Assert.Equal(a.Train, b.Train);
        Assert.NotEqual(a.Train, DatasetSplit.Split(ids, "7", 0.8, SplitMethod.Exact).Train);
    }

    [Fact]
    public void Train_share_is_close_to_the_fraction_and_seed_matters()
    {
        var ids = Ids(5000);
        var s42 = DatasetSplit.Split(ids, "42");
        double share = s42.Train.Count / 5000.0;
        Assert.InRange(share, 0.78, 0.82);
        var s7 = DatasetSplit.Split(ids, "7");
        Assert.NotEqual(s42.Train, s7.Train);
        var s60 = DatasetSplit.Split(ids, "42", 0.6);
        Assert.InRange(s60.Train.Count / 5000.0, 0.58, 0.62);
        // A lower fraction only moves chips from train to validation.
        Assert.All(s60.Train, id => Assert.Contains(id, s42.Train));
    }

    [Fact]
    public void Reads_the_published_clarkcga_split()
    {
        var p = DatasetSplit.ReadPublished(FinishingRepo.Data("reference", "clarkcga", "train_ids.csv"),
            FinishingRepo.Data("reference", "clarkcga", "val_ids.csv"));
        Assert.Equal(3083, p.Train.Count);
        Assert.Equal(771, p.Validation.Count);
        Assert.Contains("257_266", p.Train);
        Assert.Contains("091_197", p.Validation);
        Assert.DoesNotContain("ids", p.Train);
    }

    [Fact]
    public void Applying_a_published_split_reports_chips_it_does_not_name()
    {
        var published = new PublishedSplit(new HashSet<string> { "001_001", "001_002" }, new HashSet<string> { "002_001" });
        var chips = new[] { "chip_001_001", "chip_002_001", "chip_203_335", "chip_000_000", "chip_009_009" };
        var r = DatasetSplit.ApplyPublished(chips, published);
        Assert.Equal(["001_001"], r.Train);
        Assert.Equal(["002_001"], r.Validation);
        Assert.Equal(["000_000", "009_009", "203_335"], r.Unassigned);
        Assert.Equal(r.Unassigned, r.AbsentFromPublished);

        var f = DatasetSplit.ApplyPublished(chips, published, fallbackSeed: "42");
        Assert.Empty(f.Unassigned);
        Assert.Equal(["000_000", "009_009", "203_335"], f.FallbackAssigned);
        Assert.Contains("203_335", f.Train);        // u = 0.019 under seed 42
        Assert.Contains("000_000", f.Validation);   // u = 0.915
    }

    [Fact]
    public void Writes_sorted_id_csvs_with_and_without_header()
    {
        using var tmp = new TempFolder();
        var split = new SplitResult(["203_335", "chip_012_001"], ["202_336"], [], []);
        var paths = DatasetSplit.Write(split, tmp.Path);
        Assert.Equal(4, paths.Count);
        Assert.Equal("ids\n012_001\n203_335\n", File.ReadAllText(tmp.File("train_ids.csv")));
        Assert.Equal("ids\n202_336\n", File.ReadAllText(tmp.File("val_ids.csv")));
        Assert.Equal("012_001\n203_335\n", File.ReadAllText(tmp.File("train_ids_noheader.csv")));
        Assert.Equal("202_336\n", File.ReadAllText(tmp.File("val_ids_noheader.csv")));
        // Round trip: both forms read back.
        Assert.Equal(new HashSet<string> { "012_001", "203_335" }, DatasetSplit.ReadIdCsv(tmp.File("train_ids_noheader.csv")));
        Assert.Equal(new HashSet<string> { "012_001", "203_335" }, DatasetSplit.ReadIdCsv(tmp.File("train_ids.csv")));
    }

    [Fact]
    public void Published_split_errors_name_the_file_and_the_id()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("t.csv"), "ids\r\n001_001\r\n002_002\r\n");
        File.WriteAllText(tmp.File("v.csv"), "ids\r\n002_002\r\n");
        var e = Assert.Throws<InvalidDataException>(() => DatasetSplit.ReadPublished(tmp.File("t.csv"), tmp.File("v.csv")));
        Assert.Contains("002_002", e.Message);
        File.WriteAllText(tmp.File("bad.csv"), "ids\nabc\n");
        var e2 = Assert.Throws<InvalidDataException>(() => DatasetSplit.ReadIdCsv(tmp.File("bad.csv")));
        Assert.Contains("line 2", e2.Message);
        Assert.Contains("bad.csv", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.Split(["001_001"], "42", 1.0));
    }

    [Theory]
    [InlineData("chip_257_266", "257_266")]
    [InlineData(" 257_266 ", "257_266")]
    [InlineData("\uFEFF091_197", "091_197")]
    public void Chip_ids_normalise(string input, string expected)
    {
        Assert.Equal(expected, ChipIds.Short(input));
        Assert.Equal("chip_" + expected, ChipIds.Full(input));
        Assert.Equal("chip_" + expected + "_merged.tif", ChipIds.MergedFile(input));
        Assert.Equal("chip_" + expected + ".mask.tif", ChipIds.MaskFile(input));
    }

    [Theory]
    [InlineData("chip_257")]
    [InlineData("tile_257_266")]
    [InlineData("257_26a")]
    public void Bad_chip_ids_are_rejected(string input) =>
        Assert.Contains(input, Assert.Throws<FormatException>(() => ChipIds.Short(input)).Message);
}
