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
[TaskDescription("Stage 9: merged chips (bands x dates), Fmask chips, CDL masks and per-date Fmask QA -> track_chips.csv")]
public sealed class ChipsTask : UnitTask<DatasetContext, ChipsTask.ChipUnit>
{
    public sealed record ChipUnit(string Chip, string Tile, IReadOnlyList<string> Scenes);

    public override string Version => "2"; // 2: band descriptions "B02 2022-03-15", scene ids, class palette and names on masks

    public override IEnumerable<ChipUnit> Units(DatasetContext c)
    {
        var units = ChipUnits(c).ToList();
        // Every chip reads the reclass table: a broken one is one clear error here, not the same error per chip.
        if (units.Count > 0) CdlReclassTable.Load(c.Resolve(c.Config.Cdl.ReclassTable));
        return units;
    }

    private static IEnumerable<ChipUnit> ChipUnits(DatasetContext c)
    {
        foreach (var (tile, chips) in c.State.ChipsByTile())
        {
            var scenes = c.State.TileScenesToBuild(tile).OrderBy(s => s.Slot).Select(s => s.Scene.SceneId).ToList();
            if (scenes.Count == 0) continue; // tile dropped by the selection (reported there)
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
        var scenes = c.State.TileScenes(u.Tile).OrderBy(s => s.Slot).ToList();
        var dates = scenes.Select(s => new WarpedDate(s.Scene.SceneId, s.Scene.Date,
            c.Config.Bands.Select(b => c.Paths.Warped(s.Scene.SceneId, b, u.Chip)).ToList(),
            c.Paths.Warped(s.Scene.SceneId, c.Config.FmaskBand, u.Chip))).ToList();
        var options = new ChipWriteOptions
        {
            Na = new NaPolicy { Values = c.Config.Chips.NaValues.Select(v => (short)v).ToList(), CountBandNoData = c.Config.Chips.CountBandNodata },
            Files = ChipFileOptions.FromConfig(c.Config.Chips.Compression),
            // Merged chips say what each band is: "B02 2022-03-15", and which scenes they were made from.
            BandDescriptions = dates.SelectMany(d => c.Config.Bands.Select(b => $"{b} {d.Date:yyyy-MM-dd}")).ToList(),
            MergedMetadata = new Dictionary<string, string>
            {
                ["SCENE_IDS"] = string.Join(",", dates.Select(d => d.SceneId)),
                ["DATES"] = string.Join(",", dates.Select(d => d.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))),
                ["BANDS"] = string.Join(",", c.Config.Bands),
                ["TILE"] = u.Tile,
            },
            MaskColors = c.Config.Chips.MaskPalette == "cdl" ? null : MaskPalette.ClassColors,
            MaskClassNames = c.Config.Chips.MaskPalette == "cdl" ? null : MaskPalette.ClassNames,
        };
        using var cdl = CdlRaster.Open(c.Resolve(c.Config.Cdl.Path));
        var result = ChipStage.Run(chip, u.Tile, dates, cdl, CdlReclassTable.Load(c.Resolve(c.Config.Cdl.ReclassTable)),
            new ChipOutputPaths(o.TempPathFor(c.Paths.Merged(u.Chip)), o.TempPathFor(c.Paths.Fmask(u.Chip)), o.TempPathFor(c.Paths.Mask(u.Chip))), options);
        var a = result.Assembled;
        var valid = a.Qa.Select(q => q.Valid).ToArray();
        var badPct = a.Qa.Select(q => q.BadPct).ToArray();
        string? reason = null;
        if (a.Skipped)
        {
            // Spec stage 9: a date with no valid pixel leaves the chip out; it is reported, not built.
            reason = "no valid Fmask pixel on " + string.Join(", ", a.Qa.Select((q, i) => (q, i)).Where(x => x.q.Valid == 0).Select(x => dates[x.i].Date.ToString("yyyy-MM-dd")));
            o.Warn($"chip {u.Chip} skipped: {reason}");
        }
        else if (result.Reclass.UnmappedPixels > 0)
        {
            o.Warn($"chip {u.Chip}: {result.Reclass.UnmappedPixels} CDL pixels with codes missing from the reclass table " +
                   $"({string.Join(", ", result.Reclass.UnmappedCodes.Keys.Order())}) mapped to class 0");
        }
        WorkFile.Write(o.TempPathFor(c.Paths.ChipQa(u.Chip)), new ChipQa(u.Chip, u.Tile, !a.Skipped, reason, valid, badPct, a.Row, result.Reclass.UnmappedPixels));
    }

    public override void Gather(DatasetContext c, IReadOnlyList<ChipUnit> units, UnitOutputs o)
    {
        var qa = units.Where(u => File.Exists(c.Paths.ChipQa(u.Chip))).Select(u => WorkFile.Read<ChipQa>(c.Paths.ChipQa(u.Chip))).ToList();
        var rows = qa.Where(q => q.Built).Select(q => q.Row!).ToList();
        o.WriteAllText(c.Paths.TrackChipsCsv, TrackChipsCsv.Format(rows));
        // Every chip unit ran (the table's "Built" column); a chip with a date without any valid pixel is left out of the dataset.
        c.Log.Information($"chips: {rows.Count} chips written, {qa.Count(q => !q.Built)} left out (no valid Fmask pixel on a date) -> {c.Paths.TrackChipsCsv}");
    }

}
