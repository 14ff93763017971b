using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>Stage 8 reprojection modes (config <c>reproject.mode</c>).</summary>
public enum ReprojectMode
{
    /// <summary>
    /// Chips bit-identical to the original's "warp the whole destination grid with GDAL defaults, then clip the chip",
    /// at the cost of the chips (see <see cref="GridWindowWarper"/>).
    /// </summary>
    Original,

    /// <summary>
    /// Chips bit-identical to an exact whole-grid warp (<c>-et 0 -wo XSCALE=1 -wo YSCALE=1</c>): no approximate
    /// transformer, no chunk-dependent kernel scale — each chip is warped on its own.
    /// </summary>
    Exact,
}

/// <summary>The warped 224 x 224 windows of one scene-band for a set of chips, plus the band's declared nodata.</summary>
public sealed record ReprojectedChips<T>(string SourcePath, double? NoData, IReadOnlyDictionary<ChipId, T[]> Pixels)
    where T : unmanaged;

/// <summary>Stage 8: scene-band → warped chip windows in memory (no tiles_reprojected/ files).</summary>
public static class ChipReprojector
{
    /// <summary>Bilinear for reflectance, nearest for the Fmask bit field (spec stage 8).</summary>
    public static Resampling ResamplingFor(string band) =>
        string.Equals(band, "Fmask", StringComparison.OrdinalIgnoreCase) ? Resampling.Nearest : Resampling.Bilinear;

    /// <summary>
    /// Warps one scene-band onto the original destination grid (spec stage 8, <see cref="DestinationGrid.Original"/>)
    /// for <paramref name="chips"/> only. <typeparamref name="T"/> is the band's pixel type: short for reflectance,
    /// byte for Fmask. Pixels no source pixel reaches hold the band's nodata (-9999 / 255), as in the original.
    /// Chips of one chip row share transform work, so call per chip row (or with all chips of a tile); chips are
    /// checked to lie inside the CDL raster and the destination grid. Thread-safe: every call opens its own GDAL
    /// handles (the chunk layout and row transforms of a tile are shared process-wide; chunks warped whole are shared
    /// through <paramref name="cache"/>, e.g. by the chip rows of one band).
    /// </summary>
    public static ReprojectedChips<T> Reproject<T>(string sourceBandPath, Resampling resampling, CdlRasterInfo cdl,
        IEnumerable<ChipId> chips, ReprojectMode mode = ReprojectMode.Original, WarpedChunkCache? cache = null) where T : unmanaged
    {
        DestinationGrid destination;
        using (var source = RasterDataset.Open(sourceBandPath)) destination = DestinationGrid.Original(source.Grid, cdl);
        var windows = chips.Distinct().OrderBy(c => c.Row).ThenBy(c => c.Col)
            .Select(c => (Chip: c, Window: destination.ChipWindow(c))).ToArray();
        var transform = mode == ReprojectMode.Exact ? GridTransform.Exact : GridTransform.Approximate;
        using var warper = GridWindowWarper.Open(sourceBandPath, destination.Grid, resampling, transform, cache);
        var result = new SortedDictionary<ChipId, T[]>(ChipOrder.Instance);
        foreach (var (chip, w) in windows)
            result[chip] = warper.Warp<T>(w.Column, w.Row, w.Width, w.Height);
        return new ReprojectedChips<T>(sourceBandPath, warper.NoData, result);
    }

    /// <summary>Groups chips by chip row (row, then column order): the unit that shares transform work.</summary>
    public static IReadOnlyList<IReadOnlyList<ChipId>> ByChipRow(IEnumerable<ChipId> chips) =>
        chips.Distinct().GroupBy(c => c.Row).OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<ChipId>)g.OrderBy(c => c.Col).ToArray()).ToArray();
}

/// <summary>Orders chips by row, then column — the order of their ids.</summary>
public sealed class ChipOrder : IComparer<ChipId>
{
    public static readonly ChipOrder Instance = new();
    public int Compare(ChipId a, ChipId b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Col.CompareTo(b.Col);
}
