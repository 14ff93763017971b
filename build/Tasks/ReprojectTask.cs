using CropData.Build.Context;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("reproject")]
[ReadsConfig("reproject.mode", "cdl.path", "fmask_band")]
[IsDependentOn(typeof(ReprojectTilesTask))]
[TaskDescription("Stage 8: warp each scene band onto the CDL grid (EPSG:5070, 30 m) for the chips that need it")]
public sealed class ReprojectTask : UnitTask<DatasetContext, ReprojectTask.StripUnit>
{
    /// <summary>
    /// One scene band and one chip row of its tile: in `original` mode the chips of a row share one full-width
    /// strip warp (spec stage 8), and a re-downloaded band rebuilds only the chips that read it.
    /// </summary>
    public sealed record StripUnit(string Tile, string Scene, string Band, int ChipRow, IReadOnlyList<string> Chips);

    private CdlRasterInfo? _cdl;

    public override IEnumerable<StripUnit> Units(DatasetContext c)
    {
        var units = StripUnits(c).ToList();
        // Every unit warps onto the CDL grid: a CDL that is no raster, not EPSG:5070 or off the national grid is one
        // clear error here instead of the same error from each of the task's units.
        if (units.Count > 0) _cdl = CdlRasterInfo.Read(c.Resolve(c.Config.Cdl.Path));
        return units;
    }

    private static IEnumerable<StripUnit> StripUnits(DatasetContext c)
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
        Outputs: u.Chips.Select(ch => c.Paths.Warped(u.Scene, u.Band, ch)));

    public override void Run(StripUnit u, DatasetContext c, UnitOutputs o)
    {
        var cdl = _cdl ?? CdlRasterInfo.Read(c.Resolve(c.Config.Cdl.Path));
        var chips = u.Chips.Select(ChipId.Parse).ToList();
        foreach (var chip in chips)
            if (!cdl.Contains(chip))
                throw new InvalidDataException($"chip {chip} is not inside the CDL raster {c.Config.Cdl.Path}; choose a CDL that covers the AOI");
        var mode = c.Config.Reproject.Mode == "exact" ? ReprojectMode.Exact : ReprojectMode.Original;
        var path = c.Paths.Band(u.Scene, u.Band);
        CheckBandFile(path, u.Tile, string.Equals(u.Band, c.Config.FmaskBand, StringComparison.Ordinal));
        if (string.Equals(u.Band, c.Config.FmaskBand, StringComparison.Ordinal))
            Write(o, c, u, ChipReprojector.Reproject<byte>(path, Resampling.Nearest, cdl, chips, mode));
        else
            Write(o, c, u, ChipReprojector.Reproject<short>(path, Resampling.Bilinear, cdl, chips, mode));
    }

    /// <summary>
    /// Spec: an HLS S30 band file is int16 reflectance (Fmask: uint8) on a north-up 30 m grid in the UTM zone of its
    /// tile. Anything else verified by its CID would warp into wrong chips without a word (a Byte band reads as tiny
    /// reflectances, a 60 m file is upsampled) or fail deep in GDAL naming no file (a CRS mismatch).
    /// </summary>
    private static void CheckBandFile(string path, string tile, bool fmask)
    {
        using var ds = RasterDataset.Open(path);
        var want = fmask ? RasterDataType.Byte : RasterDataType.Int16;
        if (ds.BandCount < 1 || ds.DataType(1) != want)
            throw new InvalidDataException($"{path}: band 1 is {(ds.BandCount < 1 ? "missing" : ds.DataType(1))}, expected {want} ({(fmask ? "Fmask bits" : "HLS surface reflectance")})");
        if (MgrsTile.TryParse(tile, out var mgrs) && ds.Epsg != mgrs.UtmEpsg)
            throw new InvalidDataException($"{path}: CRS is {(ds.Epsg is { } e ? $"EPSG:{e}" : "not an EPSG code")}, expected EPSG:{mgrs.UtmEpsg} (the UTM zone of tile {tile})");
        var gt = ds.GeoTransform;
        if (Math.Abs(gt.PixelWidth) != 30 || Math.Abs(gt.PixelHeight) != 30 || gt.RowRotation != 0 || gt.ColumnRotation != 0)
            throw new InvalidDataException(FormattableString.Invariant(
                $"{path}: pixels are {Math.Abs(gt.PixelWidth)} x {Math.Abs(gt.PixelHeight)} m, expected a north-up 30 m grid (HLS S30)"));
    }

    private static void Write<T>(UnitOutputs o, DatasetContext c, StripUnit u, ReprojectedChips<T> result) where T : unmanaged
    {
        foreach (var (chip, pixels) in result.Pixels)
            ChipFiles.WriteWindow(o.TempPathFor(c.Paths.Warped(u.Scene, u.Band, chip.ToString())), chip, pixels, result.NoData);
    }
}
