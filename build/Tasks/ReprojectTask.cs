using CropData.Build.Context;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("reproject")]
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
        foreach (var (tile, chips) in ChipsTask.ChipsByTile(c))
        {
            var scenes = ScenesTask.ReadTileScenes(c, tile);
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
        ConfigKeys: ["reproject.mode", "cdl.path"],
        Outputs: u.Chips.Select(ch => c.Paths.Warped(u.Scene, u.Band, ch)));

    public override void Run(StripUnit u, DatasetContext c, UnitOutputs o)
    {
        var cdl = CdlRasterInfo.Read(c.Resolve(c.Config.Cdl.Path));
        var chips = u.Chips.Select(ChipId.Parse).ToList();
        foreach (var chip in chips)
            if (!cdl.Contains(chip))
                throw new InvalidDataException($"chip {chip} is not inside the CDL raster {c.Config.Cdl.Path}; choose a CDL that covers the AOI");
        var mode = c.Config.Reproject.Mode == "exact" ? ReprojectMode.Exact : ReprojectMode.Original;
        var path = c.Paths.Band(u.Scene, u.Band);
        if (string.Equals(u.Band, c.Config.FmaskBand, StringComparison.Ordinal))
            Write(o, c, u, ChipReprojector.Reproject<byte>(path, Resampling.Nearest, cdl, chips, mode));
        else
            Write(o, c, u, ChipReprojector.Reproject<short>(path, Resampling.Bilinear, cdl, chips, mode));
    }

    private static void Write<T>(UnitOutputs o, DatasetContext c, StripUnit u, ReprojectedChips<T> result) where T : unmanaged
    {
        foreach (var (chip, pixels) in result.Pixels)
            ChipFiles.WriteWindow(o.TempPathFor(c.Paths.Warped(u.Scene, u.Band, chip.ToString())), chip, pixels, result.NoData);
    }
}
