using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("tiles")]
[ReadsConfig("tiles.mode", "grid.tile_centroids")]
[UsesConfig("grid.chips4326", "grid.chips5070")] // a chip's square follows from its id on the national grid
[IsDependentOn(typeof(AoiTask))]
[TaskDescription("Stage 2: assign each chip its HLS/Sentinel-2 tile (nearest centroid in EPSG:5070, or containing)")]
public sealed class TilesTask : UnitTask<DatasetContext, string>
{
    public override IEnumerable<string> Units(DatasetContext c) => c.State.ChipIds();

    public override string UnitId(string chip) => chip;

    // The unit's identity is the chip id (its footprint follows from it), so adding chips touches only new units.
    public override UnitSpec Describe(string chip, DatasetContext c) => new(
        Inputs: [c.Resolve(c.Config.Grid.TileCentroids)],
        Outputs: [c.Paths.ChipTile(chip)]);

    public override void Run(string chip, DatasetContext c, UnitOutputs o)
    {
        var mode = TileAssigner.ParseMode(c.Config.Tiles.Mode);
        var row = c.TileAssigner.Assign([c.Chip(chip)], mode, o.Warn).Single();
        WorkFile.Write(o.TempPathFor(c.Paths.ChipTile(chip)), row);
    }

    public override void Gather(DatasetContext c, IReadOnlyList<string> chips, UnitOutputs o)
    {
        var rows = chips.Where(ch => File.Exists(c.Paths.ChipTile(ch))).Select(ch => c.State.ChipTile(ch)).ToList();
        var csv = ChipTilesCsv.ToCsv(rows);
        bool changed = !File.Exists(c.Paths.ChipTilesCsv) || File.ReadAllText(c.Paths.ChipTilesCsv) != csv;
        o.WriteAllText(c.Paths.ChipTilesCsv, csv);
        var tiles = rows.Select(r => r.Tile).Distinct().Count();
        c.Log.Information($"tiles: {rows.Count} chips on {tiles} tiles -> {c.Paths.ChipTilesCsv}");
        // The comparison loads the chip grid (~2 s): only worth it when the assignment changed.
        if (changed && rows.Count > 0)
        {
            var comparison = c.TileAssigner.CompareModes(chips.Select(c.Chip));
            c.Log.Information($"tiles: nearest-centroid and containing modes differ on {comparison.DifferentCount} of {comparison.ChipCount} chips" +
                              (comparison.NotContainedChipIds.Count > 0 ? $"; {comparison.NotContainedChipIds.Count} chips lie in no tile footprint" : ""));
        }
    }

}
