using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.Report;

namespace CropData.Build.Tasks;

[TaskName("report")]
[IsDependentOn(typeof(StatsTask))]
[TaskDescription("Stage 14: quicklooks per chip, class-distribution charts and a static HTML report (report/index.html)")]
public sealed class ReportTask : UnitTask<DatasetContext, string>
{
    // 2: quicklooks stretched over clear-sky pixels (the chip's Fmask is an input).
    public override string Version => "2";

    // One quicklook per built chip (kept or rejected), so a rejected chip can be looked at too.
    public override IEnumerable<string> Units(DatasetContext c) =>
        c.State.ChipQa().Where(q => q.Built).Select(q => q.ChipId);

    public override string UnitId(string chip) => chip;

    public override string? ShardKey(string chip) => null;

    public override UnitSpec Describe(string chip, DatasetContext c) => new(
        Inputs: [c.Paths.Merged(chip), c.Paths.Mask(chip), c.Paths.Fmask(chip)],
        Outputs: [c.Paths.Quicklook(chip)]);

    public override void Run(string chip, DatasetContext c, UnitOutputs o)
    {
        using var merged = RasterDataset.Open(c.Paths.Merged(chip));
        using var mask = RasterDataset.Open(c.Paths.Mask(chip));
        using var fmask = RasterDataset.Open(c.Paths.Fmask(chip));
        Quicklooks.WriteComposite(o.TempPathFor(c.Paths.Quicklook(chip)), merged.ReadAllBands<short>(), mask.ReadBand<byte>(1),
            merged.Width, merged.Height, fmask.ReadAllBands<byte>());
    }

    public override void Gather(DatasetContext c, IReadOnlyList<string> units, UnitOutputs o)
    {
        var facts = Facts(c);
        // Per-class coverage: a weight computed from 4 pixels is noise; say so in the build and in the report.
        var totals = ClassPixelCounts.Sum(facts.Splits.Select(split => split.Counts.Classes)).Classes;
        var coverage = facts.Splits.Count > 0 ? ClassCoverage.Warnings(totals, c.Config.Report.MinClassPixels) : [];
        foreach (var w in coverage) o.Warn(w);
        var model = (facts with { Warnings = coverage }).Model();
        foreach (var split in model.Splits)
            if (split.ChartPng is { } png)
                o.WriteAllBytes(Path.Combine(c.Paths.Report, png), ClassDistributionChart.RenderPng($"Class distribution: {split.Name}", split.Counts));
        o.WriteAllText(c.Paths.ReportIndex, HtmlReport.Render(model));
        c.Log.Information($"report: {c.Paths.ReportIndex}");
    }

    /// <summary>What the stages left, read from their tables; <see cref="ReportFacts.Model"/> makes the report of it.</summary>
    private static ReportFacts Facts(DatasetContext c)
    {
        var (train, val) = File.Exists(c.Paths.TrainIds) ? c.State.Split() : ([], []);
        var qa = c.State.ChipQa().ToDictionary(q => q.ChipId);
        var chips = c.State.ChipIds().Select(id =>
        {
            var tile = File.Exists(c.Paths.ChipTile(id)) ? c.State.ChipTile(id).Tile : "";
            var record = qa.GetValueOrDefault(id);
            return new ChipFacts(id, tile, Square(ChipId.Parse(id).Envelope5070), record, record is null ? c.State.MissingChipReason(id, tile) : null,
                Path.GetRelativePath(c.Paths.Report, c.Paths.Quicklook(id)).Replace('\\', '/'));
        }).ToList();

        var tiles = c.State.Tiles().Select(tile => new ReportTile(tile,
            c.State.TileScenes(tile).Select(s => new ReportScene(s.Scene.SceneId, s.Scene.Date, s.Scene.CloudCover, s.Scene.SpatialCover)).ToList(),
            TileOutline(c, tile))).ToList();

        var splits = new List<ReportSplit>();
        foreach (var (name, ids) in new[] { ("train", train), ("validation", val) })
        {
            var csv = c.Paths.ClassDistributionCsv(name);
            if (File.Exists(csv)) splits.Add(new ReportSplit(name, ids.Count, ClassPixelCounts.ReadCsv(csv), $"class_distribution_{name}.png"));
        }

        var config = c.Config;
        return new ReportFacts
        {
            DatasetName = config.TrainDatasetName,
            ToolVersion = DatasetContext.ToolVersion,
            Settings = new ReportSettings(c.ConfigName, config.Selection.CloudCoverThreshold, config.Reproject.Mode, c.State.FilterRule,
                config.Split.Seed, config.Sample.Enabled, c.RangesMode ? RangesSummary(c) : null),
            Chips = chips,
            Train = train,
            Validation = val,
            Tiles = tiles,
            BandSources = File.Exists(c.Paths.TilePayloadsJson)
                ? Dataset.Scenes.TilePayloadsJson.ReadFile(c.Paths.TilePayloadsJson).SelectMany(kv => kv.Value.Select(b =>
                    new ReportBandSource(kv.Key, b.BandName, b.Source ?? "ipfs", b.Verified ?? Dataset.Scenes.BandVerification.Cid))).ToList()
                : [],
            Splits = splits,
            Stats = File.Exists(c.Paths.GlobalStatsJson) ? c.State.GlobalStats() : null,
            Weights = File.Exists(c.Paths.ClassWeightsJson) ? c.State.ClassWeights() : null,
        };
    }

    /// <summary>download.mode ranges: how much of the band files the chips needed (the manifest's bytes_read against size).</summary>
    private static string RangesSummary(DatasetContext c)
    {
        var reads = c.State.RangeReadsByCid().Values.ToList();
        long read = reads.Sum(r => r.BytesRead), whole = reads.Sum(r => r.Size);
        return FormattableString.Invariant(
            $"ranges: {read / 1e6:0.0} of {whole / 1e6:0.0} MB of the {reads.Count} band files read as verified IPFS blocks ({(whole > 0 ? 100.0 * read / whole : 0):0.0} %)");
    }

    private static IReadOnlyList<MapPoint> Square(NetTopologySuite.Geometries.Envelope e) =>
        [new(e.MinX, e.MaxY), new(e.MaxX, e.MaxY), new(e.MaxX, e.MinY), new(e.MinX, e.MinY), new(e.MinX, e.MaxY)];

    /// <summary>The tile's 109.8 km square (in its UTM zone) drawn in EPSG:5070, edges densified.</summary>
    private static IReadOnlyList<IReadOnlyList<MapPoint>> TileOutline(DatasetContext c, string tile)
    {
        var envelope = c.TileFootprintUtm(tile);
        if (envelope is null || !MgrsTile.TryParse(tile, out var mgrs)) return [];
        var ring = ChipFactory.Densify(envelope, 16);
        ring.Add(ring[0]);
        var xs = ring.Select(p => p.X).ToArray();
        var ys = ring.Select(p => p.Y).ToArray();
        using var t = CoordinateTransform.FromEpsg(mgrs.UtmEpsg, 5070);
        t.TransformInPlace(xs, ys);
        return [xs.Select((x, i) => new MapPoint(x, ys[i])).ToList()];
    }
}
