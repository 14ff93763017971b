using CropData.Build.Context;
using CropData.Dataset.Scenes;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("scenes")]
[ReadsConfig("selection")]
[IsDependentOn(typeof(SearchTask))]
[TaskDescription("Stages 4-5: cloud and coverage filter, then the first, middle and last scene by date per tile")]
public sealed class ScenesTask : UnitTask<DatasetContext, string>
{
    public override IEnumerable<string> Units(DatasetContext c) => c.State.Tiles();

    public override string UnitId(string tile) => tile;

    public override string? ShardKey(string tile) => tile;

    // Only the selection keys: a changed threshold re-selects, and a tile whose choice is unchanged writes
    // identical bytes, so nothing downstream of it rebuilds (early cutoff).
    public override UnitSpec Describe(string tile, DatasetContext c) => new(
        Inputs: [c.Paths.TileCandidates(tile)],
        Outputs: [c.Paths.TileScenes(tile), c.Paths.TileSelection(tile)]);

    public override void Run(string tile, DatasetContext c, UnitOutputs o)
    {
        var s = c.Config.Selection;
        var rules = new SelectionRules { CloudCoverThreshold = s.CloudCoverThreshold, CoverageThresholds = s.CoverageThresholds, MinScenes = s.MinScenes, ScenesPerChip = s.ScenesPerChip };
        var selection = SceneSelector.SelectTile(tile, SceneCandidatesCsv.ReadFile(c.Paths.TileCandidates(tile)), rules);
        if (!selection.IsSelected) o.Warn($"tile {tile} dropped: {selection.DropReason}");
        SelectedScenesCsv.WriteFile(o.TempPathFor(c.Paths.TileScenes(tile)), selection.Scenes);
        TileSelectionCsv.WriteFile(o.TempPathFor(c.Paths.TileSelection(tile)), [selection]);
    }

    public override void Gather(DatasetContext c, IReadOnlyList<string> tiles, UnitOutputs o)
    {
        var done = tiles.Where(t => File.Exists(c.Paths.TileScenes(t))).ToList();
        var selected = done.SelectMany(t => SelectedScenesCsv.ReadFile(c.Paths.TileScenes(t))).ToList();
        o.WriteAllText(c.Paths.SelectedScenesCsv, SelectedScenesCsv.ToText(selected));
        var candidates = tiles.Where(t => File.Exists(c.Paths.TileCandidates(t))).SelectMany(t => SceneCandidatesCsv.ReadFile(c.Paths.TileCandidates(t)));
        o.WriteAllText(c.Paths.SceneCandidatesCsv, SceneCandidatesCsv.ToText(candidates));
        o.WriteAllText(c.Paths.TileSelectionCsv, TileSelectionCsv.ToText(c.State.TileSelections(tiles)));
        var kept = selected.Select(s => s.TileId).Distinct().Count();
        c.Log.Information($"scenes: {selected.Count} scenes selected for {kept} of {tiles.Count} tiles -> {c.Paths.SelectedScenesCsv}");
    }

}
