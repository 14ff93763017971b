using CropData.Build.Context;
using CropData.Dataset.Chips;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("chips")]
[ReadsConfig("chips", "bands", "fmask_band", "cdl")]
[IsDependentOn(typeof(ReprojectTask))]
[TaskDescription("Stage 9: 18-band merged chips, Fmask chips, CDL masks and per-date Fmask QA -> track_chips.csv")]
public sealed class ChipsTask : UnitTask<DatasetContext, ChipsTask.ChipUnit>
{
    public sealed record ChipUnit(string Chip, string Tile, IReadOnlyList<string> Scenes);

    /// <summary>What the chips stage made of one chip: built (with its tracking row) or skipped (and why).</summary>
    public sealed record ChipQa(string ChipId, string Tile, bool Built, string? Reason, int[] Valid, double[] BadPct,
        ChipTrackingRow? Row, long UnmappedCdlPixels);

    public override string Version => "1";

    public static IReadOnlyList<(string Tile, IReadOnlyList<string> Chips)> ChipsByTile(DatasetContext c) =>
        AoiTask.ReadChipIds(c).Where(ch => File.Exists(c.Paths.ChipTile(ch)))
            .GroupBy(ch => TilesTask.ReadChipTile(c, ch).Tile).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList())).ToList();

    public override IEnumerable<ChipUnit> Units(DatasetContext c)
    {
        var units = ChipUnits(c).ToList();
        // Every chip reads the reclass table: a broken one is one clear error here, not the same error per chip.
        if (units.Count > 0) CdlReclassTable.Load(c.Resolve(c.Config.Cdl.ReclassTable));
        return units;
    }

    private static IEnumerable<ChipUnit> ChipUnits(DatasetContext c)
    {
        foreach (var (tile, chips) in ChipsByTile(c))
        {
            var scenes = ScenesTask.ReadTileScenes(c, tile).OrderBy(s => s.Slot).Select(s => s.Scene.SceneId).ToList();
            if (scenes.Count != ChipAssembly.DateCount) continue; // tile dropped by the selection (reported there)
            foreach (var chip in chips) yield return new ChipUnit(chip, tile, scenes);
        }
    }

    public override string UnitId(ChipUnit u) => u.Chip;

    public override string? ShardKey(ChipUnit u) => u.Tile;

    public override UnitSpec Describe(ChipUnit u, DatasetContext c) => new(
        Inputs: u.Scenes.SelectMany(s => c.SceneBands.Select(b => c.Paths.Warped(s, b, u.Chip)))
            .Concat([c.Paths.ChipTile(u.Chip), c.Paths.TileScenes(u.Tile), c.CdlInputFile, c.Resolve(c.Config.Cdl.ReclassTable)]),
        Outputs: [c.Paths.Merged(u.Chip), c.Paths.Mask(u.Chip), c.Paths.Fmask(u.Chip), c.Paths.ChipQa(u.Chip)]);

    public override void Run(ChipUnit u, DatasetContext c, UnitOutputs o)
    {
        var chip = ChipId.Parse(u.Chip);
        var scenes = ScenesTask.ReadTileScenes(c, u.Tile).OrderBy(s => s.Slot).ToList();
        var dates = scenes.Select(s => ReadDate(c, s.Scene.SceneId, s.Scene.Date, u.Chip)).ToList();
        var na = new NaPolicy
        {
            Values = c.Config.Chips.NaValues.Select(v => (short)v).ToList(),
            CountBandNoData = c.Config.Chips.CountBandNodata,
        };
        var assembled = ChipAssembly.Assemble(u.Chip, u.Tile, dates, na);
        var valid = assembled.Qa.Select(q => q.Valid).ToArray();
        var badPct = assembled.Qa.Select(q => q.BadPct).ToArray();
        if (assembled.Skipped)
        {
            // Spec stage 9: a date with no valid pixel skips the chip; it is reported, not built.
            var reason = "no valid Fmask pixel on " + string.Join(", ",
                assembled.Qa.Select((q, i) => (q, i)).Where(x => x.q.Valid == 0).Select(x => dates[x.i].Date.ToString("yyyy-MM-dd")));
            o.Warn($"chip {u.Chip} skipped: {reason}");
            WorkFile.Write(o.TempPathFor(c.Paths.ChipQa(u.Chip)), new ChipQa(u.Chip, u.Tile, false, reason, valid, badPct, null, 0));
            return;
        }

        using var cdl = CdlRaster.Open(c.Resolve(c.Config.Cdl.Path));
        var codes = cdl.ReadChip(chip);
        var classes = new byte[codes.Length];
        var reclass = CdlReclassTable.Load(c.Resolve(c.Config.Cdl.ReclassTable)).Apply(codes, classes);
        if (reclass.UnmappedPixels > 0)
            o.Warn($"chip {u.Chip}: {reclass.UnmappedPixels} CDL pixels with codes missing from the reclass table " +
                   $"({string.Join(", ", reclass.UnmappedCodes.Keys.Order())}) mapped to class 0");

        var files = ChipFileOptions.FromConfig(c.Config.Chips.Compression);
        var descriptions = Enumerable.Range(1, ChipAssembly.DateCount).SelectMany(d => c.Config.Bands.Select(b => $"date{d}_{b}")).ToList();
        ChipFiles.WriteMerged(o.TempPathFor(c.Paths.Merged(u.Chip)), chip, assembled.Merged, files, descriptions);
        ChipFiles.WriteFmask(o.TempPathFor(c.Paths.Fmask(u.Chip)), chip, assembled.Fmask, files);
        ChipFiles.WriteMask(o.TempPathFor(c.Paths.Mask(u.Chip)), chip, classes, cdl.ColorTable, files);
        WorkFile.Write(o.TempPathFor(c.Paths.ChipQa(u.Chip)),
            new ChipQa(u.Chip, u.Tile, true, null, valid, badPct, assembled.Row, reclass.UnmappedPixels));
    }

    private static ChipDate ReadDate(DatasetContext c, string scene, DateOnly date, string chip)
    {
        var reflectance = new List<short[]>();
        var noData = new List<double?>();
        foreach (var band in c.Config.Bands)
        {
            using var ds = OpenWarped(c, scene, band, chip);
            if (ds.DataType(1) != RasterDataType.Int16)
                throw new InvalidDataException($"{ds.Path}: band {band} of scene {scene} is {ds.DataType(1)}, expected Int16 reflectance");
            reflectance.Add(ds.ReadBand<short>(1));
            noData.Add(ds.NoData(1));
        }
        using var fmask = OpenWarped(c, scene, c.Config.FmaskBand, chip);
        return new ChipDate(date, reflectance, noData, fmask.ReadBand<byte>(1));
    }

    private static RasterDataset OpenWarped(DatasetContext c, string scene, string band, string chip)
    {
        var ds = RasterDataset.Open(c.Paths.Warped(scene, band, chip));
        if (ds.Width != CdlGrid.ChipSize || ds.Height != CdlGrid.ChipSize)
        {
            ds.Dispose();
            throw new InvalidDataException($"{c.Paths.Warped(scene, band, chip)}: {ds.Width}x{ds.Height} pixels, expected {CdlGrid.ChipSize}x{CdlGrid.ChipSize}");
        }
        return ds;
    }

    public override void Gather(DatasetContext c, IReadOnlyList<ChipUnit> units, UnitOutputs o)
    {
        var qa = units.Where(u => File.Exists(c.Paths.ChipQa(u.Chip))).Select(u => WorkFile.Read<ChipQa>(c.Paths.ChipQa(u.Chip))).ToList();
        var rows = qa.Where(q => q.Built).Select(q => q.Row!).ToList();
        o.WriteAllText(c.Paths.TrackChipsCsv, TrackChipsCsv.Format(rows));
        // Every chip unit ran (the table's "Built" column); a chip with a date without any valid pixel is left out of the dataset.
        c.Log.Information($"chips: {rows.Count} chips written, {qa.Count(q => !q.Built)} left out (no valid Fmask pixel on a date) -> {c.Paths.TrackChipsCsv}");
    }

    /// <summary>The chips stage's record of every chip it ran for.</summary>
    public static IReadOnlyList<ChipQa> ReadAllQa(DatasetContext c) =>
        AoiTask.ReadChipIds(c).Where(ch => File.Exists(c.Paths.ChipQa(ch))).Select(ch => WorkFile.Read<ChipQa>(c.Paths.ChipQa(ch))).ToList();

    /// <summary>Why a chip has no QA record: its tile was dropped, a download failed, or its unit failed.</summary>
    public static string MissingReason(DatasetContext c, string chip, string tile)
    {
        if (tile.Length == 0) return "no tile assigned";
        if (ScenesTask.ReadTileScenes(c, tile).Count != ChipAssembly.DateCount) return $"tile {tile} has no 3 usable scenes";
        return "a scene band could not be downloaded or warped (see the build log)";
    }
}
