using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Gdal;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("stats")]
[UsesConfig("filter")] // lists the units: their kept chips are their inputs
[IsDependentOn(typeof(SplitTask))]
[TaskDescription("Stages 12-13: exact band statistics (histograms, numpy percentiles) and class weights of the filtered chips")]
public sealed class StatsTask : UnitTask<DatasetContext, StatsTask.TileUnit>
{
    /// <summary>The kept chips of one tile: partial histograms per tile merge exactly (and across shards).</summary>
    public sealed record TileUnit(string Tile, IReadOnlyList<string> Chips);

    // From the per-chip QA records rather than track_chips.csv: a shard writes no tracking table but must still
    // leave its per-tile partials for merge.
    public override IEnumerable<TileUnit> Units(DatasetContext c) =>
        c.State.KeptQaRows().GroupBy(r => r.Tile).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TileUnit(g.Key, g.Select(r => r.ChipId).Order(StringComparer.Ordinal).ToList()));

    public override string UnitId(TileUnit u) => u.Tile;

    public override string? ShardKey(TileUnit u) => u.Tile;

    public override UnitSpec Describe(TileUnit u, DatasetContext c) => new(
        Inputs: u.Chips.SelectMany(ch => new[] { c.Paths.FilteredMerged(ch), c.Paths.FilteredMask(ch) }),
        Outputs: [c.Paths.TileHistogram(u.Tile), c.Paths.TileClassCounts(u.Tile)]);

    public override void Run(TileUnit u, DatasetContext c, UnitOutputs o)
    {
        var histograms = new BandHistograms();
        var classes = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var chip in u.Chips)
        {
            using (var merged = RasterDataset.Open(c.Paths.FilteredMerged(chip)))
                histograms.AddChip(merged.ReadAllBands<short>(), merged.Width * merged.Height, chip);
            using var mask = RasterDataset.Open(c.Paths.FilteredMask(chip));
            var counts = new ClassPixelCounts();
            counts.Add(mask.ReadBand<byte>(1));
            classes[chip] = [.. counts.Classes];
        }
        histograms.Save(o.TempPathFor(c.Paths.TileHistogram(u.Tile)));
        WorkFile.Write(o.TempPathFor(c.Paths.TileClassCounts(u.Tile)), classes);
    }

    public override void Gather(DatasetContext c, IReadOnlyList<TileUnit> units, UnitOutputs o)
    {
        if (units.Count == 0) { c.Log.Warning("stats: no chip passed the filter; no statistics written"); return; }
        var (histograms, perChip) = LoadPartials(c, units.Select(u => u.Tile));
        WriteTables(c, histograms, perChip, o);
    }

    public static (BandHistograms, IReadOnlyDictionary<string, long[]>) LoadPartials(DatasetContext c, IEnumerable<string> tiles)
    {
        var histograms = new BandHistograms();
        var perChip = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var tile in tiles)
        {
            histograms.Merge(BandHistograms.Load(c.Paths.TileHistogram(tile)));
            foreach (var (chip, counts) in WorkFile.Read<Dictionary<string, long[]>>(c.Paths.TileClassCounts(tile)))
                perChip[chip] = counts;
        }
        return (histograms, perChip);
    }

    /// <summary>global_stats.yaml, band_stats.csv, class_weights.csv and the per-split class distributions.</summary>
    private static void WriteTables(DatasetContext c, BandHistograms histograms, IReadOnlyDictionary<string, long[]> perChip, UnitOutputs o)
    {
        var stats = histograms.ComputeAll(c.Config.Bands);
        var temp = TempFiles.PathFor(Path.Combine(c.Paths.Work, "stats-out"));
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var file in stats.Write(temp)) o.WriteAllText(Path.Combine(c.Paths.Root, Path.GetFileName(file)), File.ReadAllText(file));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        var all = ClassPixelCounts.Sum(perChip.Values);
        var weights = ClassWeights.Balanced(all);
        o.WriteAllText(c.Paths.ClassWeightsCsv, weights.ToCsv());
        // Typed copies for the tasks downstream (report, export); the YAML/CSV above are the public forms.
        WorkFile.Write(o.TempPathFor(c.Paths.GlobalStatsJson), stats);
        WorkFile.Write(o.TempPathFor(c.Paths.ClassWeightsJson), weights);
        var (train, val) = c.State.Split();
        o.WriteAllText(c.Paths.ClassDistributionCsv("train"), ClassPixelCounts.Sum(train.Where(perChip.ContainsKey).Select(ch => perChip[ch])).ToCsv());
        o.WriteAllText(c.Paths.ClassDistributionCsv("validation"), ClassPixelCounts.Sum(val.Where(perChip.ContainsKey).Select(ch => perChip[ch])).ToCsv());
        c.Log.Information($"stats: {perChip.Count} chips -> {c.Paths.GlobalStatsYaml}, {c.Paths.ClassWeightsCsv}");
    }
}
