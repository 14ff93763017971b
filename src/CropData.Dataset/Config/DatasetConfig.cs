using System.ComponentModel;
using System.Text.Json.Serialization;

namespace CropData.Dataset.Config;

// The typed configuration. Keys are snake_case in YAML (the original's names where it had one).
// Every section has defaults, so a config file only states what differs. Paths are relative to the
// repository root (build.sh runs the host from there) unless absolute.

public sealed record DatasetConfig : ConfigSection
{
    private protected override string Section => "";
    /// <summary>Root of all outputs; the dataset lands in data_dir/training_datasets/train_dataset_name.</summary>
    [Description("Root of all outputs: the dataset lands in <data_dir>/training_datasets/<train_dataset_name>/; shared inputs (sample_inputs/, cache/) sit beside.")]
    public string DataDir { get; init; } = "datasets";
    [Description("Folder name of the dataset under <data_dir>/training_datasets/ (a plain name, no path separators).")]
    public string TrainDatasetName { get; init; } = "sample";
    [Description("The embedded sample's generated inputs.")]
    public SampleConfig Sample { get; init; } = new();
    [Description("The area of interest: at most one of geojson, bbox, chip_ids (none: every chip of the grid).")]
    public AoiConfig Aoi { get; init; } = new();
    [Description("The chip grid and the Sentinel-2 tile centroids.")]
    public GridConfig Grid { get; init; } = new();
    [Description("Tile assignment (stage 2).")]
    public TilesConfig Tiles { get; init; } = new();
    [Description("Scene discovery (stage 3) and the CID lookup (stage 6).")]
    public StacConfig Stac { get; init; } = new();
    [Description("Scene selection rules (stages 4-5).")]
    public SelectionConfig Selection { get; init; } = new();
    [Description("Where band files are fetched from, verified against their CIDs (stage 7).")]
    public IpfsConfig Ipfs { get; init; } = new();
    [Description("Where band files come from (kinds of source in order, the https source's settings, stage 7) and how stage 8 gets their bytes (whole files in tiles/ or verified byte ranges straight from IPFS blocks).")]
    public DownloadConfig Download { get; init; } = new();
    [Description("Reflectance bands of each date, in chip band order; HLS S30 band names (B01-B12, B8A), each once.")]
    public IReadOnlyList<string> Bands { get => Read(field); init; } = ["B02", "B03", "B04", "B8A", "B11", "B12"];
    [Description("The quality (Fmask) band of each scene.")]
    public string FmaskBand { get => Read(field); init; } = "Fmask";
    [Description("Warping the scene bands onto the CDL grid (stage 8).")]
    public ReprojectConfig Reproject { get; init; } = new();
    [Description("The CDL label raster and its reclass table (stages 8-9).")]
    public CdlConfig Cdl { get; init; } = new();
    [Description("Chip files and their QA (stage 9).")]
    public ChipsConfig Chips { get; init; } = new();
    [Description("Which chips are kept (stage 10).")]
    public FilterConfig Filter { get; init; } = new();
    [Description("Train/validation split (stage 11).")]
    public SplitConfig Split { get; init; } = new();
    [Description("Release layouts written under export/.")]
    public ExportConfig Export { get; init; } = new();
    [Description("The HTML report (stage 14).")]
    public ReportConfig Report { get; init; } = new();
}

/// <summary>The embedded sample: synthetic reflectance for real scene ids, generated on first run.</summary>
public sealed record SampleConfig : ConfigSection
{
    private protected override string Section => "sample";
    [Description("Generate the embedded sample's inputs (synthetic-reflectance COGs of 3 real 14SPJ scenes, static STAC catalogs, a CAR).")]
    public bool Enabled { get => Read(field); init; }
    [Description("Seed of the sample generator (same seed, same bytes).")]
    public int Seed { get => Read(field); init; } = 20220315;
    [Description("Multi-tile sample (config/sample-tiles.yaml): HLS tiles whose 3 scenes selected by the original get synthetic band files; empty: the Kansas-clip sample of 14SPJ.")]
    public IReadOnlyList<string> Tiles { get => Read(field); init; } = [];
    [Description("Multi-tile sample: the chips its synthetic CDL window (written to sample_inputs/cdl/, the config's cdl.path) and band files cover.")]
    public IReadOnlyList<string> Chips { get => Read(field); init; } = [];
}

public sealed record AoiConfig : ConfigSection
{
    private protected override string Section => "aoi";
    /// <summary>A GeoJSON polygon/multipolygon (EPSG:4326) or a chip payload exported by the Select-AOI page.</summary>
    [Description("Path of a GeoJSON Polygon/MultiPolygon (EPSG:4326, or a named crs) or a chip payload exported by the AOI picker.")]
    public string? Geojson { get => Read(field); init; }
    /// <summary>[min_lon, min_lat, max_lon, max_lat] in EPSG:4326.</summary>
    [Description("[min_lon, min_lat, max_lon, max_lat] in EPSG:4326.")]
    public IReadOnlyList<double>? Bbox { get => Read(field); init; }
    /// <summary>Explicit chip ids (chip_RRR_CCC).</summary>
    [Description("Explicit chip ids chip_RRR_CCC; each must lie on the CDL raster (checked before any stage runs).")]
    public IReadOnlyList<string>? ChipIds { get => Read(field); init; }
}

public sealed record GridConfig : ConfigSection
{
    private protected override string Section => "grid";
    [Description("GeoJSON of the 5,000 chip squares in EPSG:4326.")]
    public string Chips4326 { get => Read(field); init; } = "data/grid/chip_bbox.geojson";
    [Description("GeoJSON of the same squares in EPSG:5070.")]
    public string Chips5070 { get => Read(field); init; } = "data/grid/chip_bbox_5070.geojson";
    [Description("CSV of the Sentinel-2 tile centroids (convert-centroids makes it from the ESA shapefile).")]
    public string TileCentroids { get => Read(field); init; } = "data/grid/s2_tile_centroids.csv";
}

public sealed record TilesConfig : ConfigSection
{
    private protected override string Section => "tiles";
    /// <summary>nearest-centroid (the original) or containing.</summary>
    [Description("nearest-centroid (the original: the tile whose centroid is nearest in EPSG:5070) or containing.")]
    public string Mode { get => Read(field); init; } = "nearest-centroid";
}

public sealed record StacConfig : ConfigSection
{
    private protected override string Section => "stac";
    /// <summary>A STAC API URL, or a path to a static catalog.json.</summary>
    [Description("NASA CMR STAC API URL, or the path of a static catalog.json.")]
    public string CmrUrl { get => Read(field); init; } = "https://cmr.earthdata.nasa.gov/stac/LPCLOUD";
    [Description("STAC collection of the HLS Sentinel-2 scenes.")]
    public string Collection { get => Read(field); init; } = "HLSS30_2.0";
    /// <summary>
    /// The original sent ".../2022-09-30T00:00:00Z", yet its real output holds 33 scenes sensed later that day
    /// (CMR answered for the whole end day); ending at 23:59:59 gives the original's answer from any server.
    /// </summary>
    [Description("Search window start/end (RFC 3339 interval); the default ends at the end of 2022-09-30 (see README).")]
    public string Datetime { get => Read(field); init; } = "2022-03-01T00:00:00Z/2022-09-30T23:59:59Z";
    /// <summary>The Easier STAC API (scene → band CIDs), or a path to a static catalog.json.</summary>
    [Description("The Easier STAC API (scene -> band CIDs), or the path of a static catalog.json.")]
    public string EasierUrl { get => Read(field); init; } = "https://stac.easierdata.info";
    [Description("Collection to search in the Easier catalog (null: any).")]
    public string? EasierCollection { get => Read(field); init; }
    [Description("Concurrent STAC requests.")]
    public int Concurrency { get => Read(field); init; } = 50;
    [Description("Tries per STAC request (429 and 5xx are retried with back-off).")]
    public int MaxTries { get => Read(field); init; } = 5;
    [Description("Timeout of one STAC request, seconds (> 0).")]
    public double TimeoutSeconds { get => Read(field); init; } = 60;
    /// <summary>Environment variable holding an Earthdata bearer token (else ~/.netrc is used).</summary>
    [Description("Environment variable holding an Earthdata bearer token (else ~/.netrc is used).")]
    public string TokenEnv { get => Read(field); init; } = "EARTHDATA_TOKEN";
}

public sealed record SelectionConfig : ConfigSection
{
    private protected override string Section => "selection";
    [Description("Keep scenes with cloud cover <= this percentage (0-100).")]
    public int CloudCoverThreshold { get => Read(field); init; } = 5;
    [Description("Spatial coverage steps tried in order until enough scenes remain (percentages 0-100).")]
    public IReadOnlyList<int> CoverageThresholds { get => Read(field); init; } = [100, 90, 80, 70, 60, 50];
    [Description("Scenes a tile needs after the rules (>= 1; at least scenes_per_chip are always needed).")]
    public int MinScenes { get => Read(field); init; } = 3;
    [Description("Dates per chip (1-12): evenly spaced picks among the tile's scenes by date; 3 takes the first, middle and last (the published dataset).")]
    public int ScenesPerChip { get => Read(field); init; } = 3;
}

public sealed record IpfsSource
{
    /// <summary>car (a CAR file or folder of CARs), kubo (RPC API), gateway (path gateway), trustless (CAR gateway).</summary>
    [Description("car (a CAR file or folder of CARs), kubo (RPC API), kubo-cat, gateway (path gateway) or trustless (trustless gateway: whole files as CARs; in download.mode ranges single blocks with format=raw, and adjacent leaves of a read in one CAR with entity-bytes).")]
    public string Kind { get; init; } = "";
    [Description("http(s) URL of a kubo, kubo-cat, gateway or trustless source.")]
    public string? Url { get; init; }
    [Description("CAR file or folder of a car source.")]
    public string? Path { get; init; }
    [Description("Concurrent fetches from this source (>= 1; default ipfs.concurrency).")]
    public int? Concurrency { get; init; }
}

public sealed record IpfsConfig : ConfigSection
{
    private protected override string Section => "ipfs";
    [Description("Sources tried in order for every band (failover); every byte is verified against the CID. In download.mode ranges a source that answers as not serving an endpoint at all (wrong Content-Type, 405, 501) is not asked again in that build.")]
    public IReadOnlyList<IpfsSource> Sources { get => Read(field); init; } = [new() { Kind = "kubo", Url = "http://127.0.0.1:5001" }];
    [Description("Band files fetched at once.")]
    public int Concurrency { get => Read(field); init; } = 8;
    [Description("Stall timeout of one fetch, seconds (> 0).")]
    public double TimeoutSeconds { get => Read(field); init; } = 120;
    [Description("Tries per band file and source.")]
    public int MaxTries { get => Read(field); init; } = 3;
    /// <summary>Timeout of the retrievability check (the original's `ipfs block stat --timeout 30s`).</summary>
    [Description("Timeout of the retrievability check (check-cids), seconds (> 0).")]
    public double CheckTimeoutSeconds { get => Read(field); init; } = 30;

    /// <summary>
    /// Whether a source serves single verified blocks (kubo block/get, trustless ?format=raw, a CAR): what
    /// download.mode ranges needs. Path gateways and kubo-cat serve whole files only.
    /// </summary>
    public bool ServesBlocks() => Sources.Any(s => s.Kind is "kubo" or "trustless" or "car");
}

/// <summary>
/// The kinds of band source (spec stage 7): <c>ipfs</c> (the CID from the Easier catalog, fetched from ipfs.sources)
/// and <c>https</c> (the granule's own LP DAAC href, with the Earthdata token). The original had IPFS only.
/// </summary>
public sealed record DownloadConfig : ConfigSection
{
    private protected override string Section => "download";
    public const string Ipfs = "ipfs";
    public const string Https = "https";

    [Description("Kinds of source tried for every band, in order: ipfs (by the band's CID from the Easier catalog) and https (the granule's LP DAAC href, Earthdata token); a band none of them can serve leaves its tile out.")]
    public IReadOnlyList<string> Order { get => Read(field); init; } = [Ipfs];
    [Description("Hosts (host or host:port) besides the href's own origin and urs.earthdata.nasa.gov that receive the Earthdata token on a redirect (never a signed S3 URL).")]
    public IReadOnlyList<string> AuthHosts { get => Read(field); init; } = [];
    [Description("Timeout of one https request until its body is complete, seconds (> 0).")]
    public double TimeoutSeconds { get => Read(field); init; } = 300;
    [Description("Tries per band file over https (5xx, timeouts and dropped connections are retried).")]
    public int MaxTries { get => Read(field); init; } = 3;
    /// <summary>
    /// ranges (default): stage 8 reads /vsiipfs/CID, only the blocks the chips need; whole: stage 7 downloads every band
    /// file to tiles/. Ranges need a source that serves single blocks (<see cref="IpfsConfig.ServesBlocks()"/>); without
    /// one the bands are fetched whole, as in whole mode.
    /// </summary>
    [Description("ranges (stage 8 reads only the IPFS blocks the chips need, each verified, from the kubo, trustless and car sources; bands without a CID, or when ipfs.sources has none of those kinds, are fetched whole to tiles/) or whole (stage 7 downloads every band file to tiles/, stage 8 reads them).")]
    public string Mode { get => Read(field); init; } = "ranges";

    /// <summary>Whether stage 8 reads bands by block: ranges mode and a source that serves single blocks.</summary>
    public bool ReadsBlocks(IpfsConfig ipfs) => Mode == "ranges" && ipfs.ServesBlocks();
    [Description("Bound of the verified block cache <data_dir>/cache/blocks/ in MB (least recently used blocks are evicted); leave it out for no bound.")]
    public double? BlockCacheMaxMb { get => Read(field); init; }
}

public sealed record ReprojectConfig : ConfigSection
{
    private protected override string Section => "reproject";
    /// <summary>original: chips bit-identical to the original's whole-grid warp; exact: per-chip exact warp.</summary>
    [Description("original (chips bit-identical to the original's whole-grid warp) or exact (per-chip exact warp).")]
    public string Mode { get => Read(field); init; } = "original";
    /// <summary>Also write whole reprojected tiles (the original's tiles_reprojected/). Costly; off by default.</summary>
    [Description("Also write whole reprojected scene bands (the original's tiles_reprojected/); costly.")]
    public bool WriteTiles { get => Read(field); init; }
}

public sealed record CdlConfig : ConfigSection
{
    private protected override string Section => "cdl";
    [Description("The CDL raster (EPSG:5070, 30 m).")]
    public string Path { get => Read(field); init; } = "data/cdl/2021_30m_cdls_kansas_clip.tif";
    [Description("CSV mapping CDL codes to the 14 classes (old_class_value,new_class_value).")]
    public string ReclassTable { get => Read(field); init; } = "data/classes/cdl_total_dst.csv";
}

public sealed record ChipsConfig : ConfigSection
{
    private protected override string Section => "chips";
    [Description("Chip size in pixels (the published dataset: 224).")]
    public int Size { get => Read(field); init; } = 224;
    /// <summary>Values counted as NA before clipping negatives to 0. The original counted only -1000.</summary>
    [Description("Values counted as NA before negatives are clipped to 0 (the original: -1000).")]
    public IReadOnlyList<int> NaValues { get => Read(field); init; } = [-1000];
    /// <summary>Also count each band's declared nodata (-9999 in HLS v2.0), the spec's fix of the original's defect.</summary>
    [Description("Also count each band's declared nodata (-9999 in HLS v2.0) as NA.")]
    public bool CountBandNodata { get => Read(field); init; } = true;
    /// <summary>GeoTIFF compression of chip files: NONE (as published), LZW or DEFLATE.</summary>
    [Description("GeoTIFF compression of chip files: NONE (as published), LZW or DEFLATE.")]
    public string Compression { get => Read(field); init; } = "NONE";
    [Description("Colour table of the masks: classes (the 14 classes' own colours, with their names as GDAL category names) or cdl (the CDL raster's table, as the published masks).")]
    public string MaskPalette { get => Read(field); init; } = "classes";
}

public sealed record FilterConfig : ConfigSection
{
    private protected override string Section => "filter";
    [Description("Keep a chip when its worst date's bad-pixel percentage is below this (0-100).")]
    public double MaxBadPct { get => Read(field); init; } = 5;
    [Description("Keep a chip when its NA count is at most this (>= 0).")]
    public long MaxNaCount { get => Read(field); init; } = 0;
}

public sealed record SplitConfig : ConfigSection
{
    private protected override string Section => "split";
    [Description("Seed of the split (a chip's side depends on seed and chip id only).")]
    public string Seed { get => Read(field); init; } = "42";
    [Description("Share of chips in train (strictly between 0 and 1).")]
    public double TrainFraction { get => Read(field); init; } = 0.8;
    [Description("exact (chips ranked by SHA-256 of seed:chip_id, the first floor(train_fraction * n) in train: the original's count, and one chip added moves at most one other) or threshold (a chip is in train when its hash number is below the fraction: no chip ever moves, the count is right only on average).")]
    public string Method { get => Read(field); init; } = "exact";
    /// <summary>Import a published split (train/val id CSVs) instead of computing one.</summary>
    [Description("Import a published split: CSV of train chip ids (with import_val).")]
    public string? ImportTrain { get => Read(field); init; }
    [Description("CSV of validation chip ids (with import_train).")]
    public string? ImportVal { get => Read(field); init; }
}

public sealed record ExportConfig : ConfigSection
{
    private protected override string Section => "export";
    [Description("Write export/huggingface/ (training_chips/, validation_chips/, *_data.txt).")]
    public bool Huggingface { get => Read(field); init; } = true;
    [Description("Write export/baseline/ (chips, id lists, baseline_config.yaml).")]
    public bool Baseline { get => Read(field); init; } = true;
}

public sealed record ReportConfig : ConfigSection
{
    private protected override string Section => "report";
    [Description("A class (1-13) with fewer pixels than this over the kept chips is named in a warning of the build and the report: a class weight computed from a handful of pixels is noise (0 turns the warning off).")]
    public long MinClassPixels { get => Read(field); init; } = 1000;
}
