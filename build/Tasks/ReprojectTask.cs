using CropData.Build.Context;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("reproject")]
[ReadsConfig("reproject.mode", "cdl.path", "fmask_band")]
[UsesConfig("bands")] // lists the units: a unit's band is in its id
[IsDependentOn(typeof(ReprojectTilesTask))]
[TaskDescription("Stage 8: warp each scene band onto the CDL grid (EPSG:5070, 30 m) for the chips that need it")]
public sealed class ReprojectTask : UnitTask<DatasetContext, ReprojectTask.StripUnit>
{
    /// <summary>
    /// One scene band and one chip row of its tile: in `original` mode the chips of a row share one full-width
    /// strip warp (spec stage 8), and a re-downloaded band rebuilds only the chips that read it.
    /// </summary>
    public sealed record StripUnit(string Tile, string Scene, string Band, int ChipRow, IReadOnlyList<string> Chips);

    public override IEnumerable<StripUnit> Units(DatasetContext c)
    {
        var units = StripUnits(c).ToList();
        // Every unit warps onto the CDL grid: a CDL that is no raster, not EPSG:5070 or off the national grid is one
        // clear error here instead of the same error from each of the task's units.
        if (units.Count > 0) _ = c.CdlInfo;
        return units;
    }

    private static IEnumerable<StripUnit> StripUnits(DatasetContext c)
    {
        foreach (var (tile, chips) in c.State.ChipsByTile())
        {
            var scenes = c.State.TileScenesToBuild(tile);
            if (scenes.Count == 0) continue;
            foreach (var row in chips.GroupBy(ch => ChipId.Parse(ch).Row).OrderBy(g => g.Key))
                foreach (var scene in scenes.Select(s => s.Scene.SceneId).Distinct())
                    foreach (var band in c.SceneBands)
                        yield return new StripUnit(tile, scene, band, row.Key, row.Order(StringComparer.Ordinal).ToList());
        }
    }

    public override string UnitId(StripUnit u) => $"{u.Scene}.{u.Band}.row{u.ChipRow:000}";

    public override string? ShardKey(StripUnit u) => u.Tile;

    public override UnitSpec Describe(StripUnit u, DatasetContext c) => new(
        Inputs: [c.Paths.Band(u.Scene, u.Band), c.CdlInputFile],
        Outputs: u.Chips.Select(ch => c.Paths.Warped(u.Scene, u.Band, ch)));

    public override void Run(StripUnit u, DatasetContext c, UnitOutputs o)
    {
        var cdl = c.CdlInfo;
        var mode = c.Config.Reproject.Mode == "exact" ? ReprojectMode.Exact : ReprojectMode.Original;
        SceneBandWarp.Run(c.Paths.Band(u.Scene, u.Band), u.Tile, c.Bands.KindOf(u.Band), cdl, u.Chips.Select(ChipId.Parse).ToList(), mode,
            chip => o.TempPathFor(c.Paths.Warped(u.Scene, u.Band, chip.ToString())), c.WarpCache);
    }
}
