using CropData.Dataset.Finishing;

namespace CropData.Report;

/// <summary>A point in EPSG:5070 metres (x east, y north).</summary>
public readonly record struct MapPoint(double X, double Y);

/// <summary>What happened to a chip: kept in chips_filtered (stage 10), built but rejected by the filter, skipped at
/// stage 9 (a date with no valid Fmask pixel), or failed with an error.</summary>
public enum ChipStatus { Kept, Rejected, Skipped, Failed }

/// <summary>One selected scene of a tile (stage 5), in date order.</summary>
public sealed record ReportScene(string SceneId, DateOnly Date, int? CloudCover = null, int? SpatialCover = null);

/// <summary>A tile: its id, its three selected scenes, and its outline as one or more rings of EPSG:5070 points
/// (a ring need not repeat its first point).</summary>
public sealed record ReportTile(string TileId, IReadOnlyList<ReportScene> Scenes, IReadOnlyList<IReadOnlyList<MapPoint>> Outline);

/// <summary>
/// One chip of the AOI. <see cref="Reason"/> is a short category for rejected/skipped/failed chips (the summary
/// groups by it, e.g. "bad_pct_max >= 5", "na_count > 0", "no valid Fmask pixel", or the error); <see cref="BadPct"/>
/// holds bad_pct first/second/third and <see cref="Valid"/> the valid counts when the chip was QA-checked;
/// <see cref="Split"/> is "train"/"validation" for kept chips; <see cref="QuicklookPng"/> a path relative to the
/// report folder ('/' separated) or null; <see cref="Footprint"/> the chip square in EPSG:5070.
/// </summary>
public sealed record ReportChip(
    string ChipId,
    string Tile,
    ChipStatus Status,
    IReadOnlyList<MapPoint> Footprint,
    string? Reason = null,
    IReadOnlyList<double>? BadPct = null,
    long? NaCount = null,
    IReadOnlyList<long>? Valid = null,
    string? Split = null,
    string? QuicklookPng = null);

/// <summary>Where one band file of a scene came from (ipfs, https) and how it was verified (docs/PIPELINE.md stage 7).</summary>
public sealed record ReportBandSource(string SceneId, string Band, string Source, string Verified);

/// <summary>One split's class distribution: its chip count, pixel counts, and the bar chart PNG (relative path) if drawn.</summary>
public sealed record ReportSplit(string Name, int ChipCount, ClassPixelCounts Counts, string? ChartPng = null);

/// <summary>
/// Everything <see cref="HtmlReport"/> shows, as plain records (no GDAL, no NTS). The caller fills it from the
/// build's tables: tiles with their scenes and outlines, every chip with its status and footprint, the split class
/// counts (and charts it rendered with <see cref="ClassDistributionChart"/>), the band statistics and class weights,
/// and optional notes (e.g. chips absent from an imported split). Paths are relative to the report folder; the
/// report orders tiles and chips by id itself, so the caller's order does not change the bytes.
/// </summary>
public sealed record ReportModel
{
    public required string Title { get; init; }
    public string? ToolVersion { get; init; }
    /// <summary>Key/value lines shown under the title (e.g. AOI, seed, thresholds), in the given order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];
    public IReadOnlyList<ReportTile> Tiles { get; init; } = [];
    public IReadOnlyList<ReportChip> Chips { get; init; } = [];
    /// <summary>Every fetched band file with its source and verification (shown per scene, in the given band order).</summary>
    public IReadOnlyList<ReportBandSource> BandSources { get; init; } = [];
    public IReadOnlyList<ReportSplit> Splits { get; init; } = [];
    public GlobalStats? Stats { get; init; }
    public ClassWeights? Weights { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}
