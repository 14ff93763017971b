using System.Text.Json.Serialization;

namespace CropData.Dataset.Config;

// The typed configuration. Keys are snake_case in YAML (the original's names where it had one).
// Every section has defaults, so a config file only states what differs. Paths are relative to the
// repository root (build.sh runs the host from there) unless absolute.

public sealed record DatasetConfig
{
    /// <summary>Root of all outputs; the dataset lands in data_dir/training_datasets/train_dataset_name.</summary>
    public string DataDir { get; init; } = "datasets";
    public string TrainDatasetName { get; init; } = "sample";
    public SampleConfig Sample { get; init; } = new();
    public AoiConfig Aoi { get; init; } = new();
    public GridConfig Grid { get; init; } = new();
    public TilesConfig Tiles { get; init; } = new();
    public StacConfig Stac { get; init; } = new();
    public SelectionConfig Selection { get; init; } = new();
    public IpfsConfig Ipfs { get; init; } = new();
    public IReadOnlyList<string> Bands { get; init; } = ["B02", "B03", "B04", "B8A", "B11", "B12"];
    public string FmaskBand { get; init; } = "Fmask";
    public ReprojectConfig Reproject { get; init; } = new();
    public CdlConfig Cdl { get; init; } = new();
    public ChipsConfig Chips { get; init; } = new();
    public FilterConfig Filter { get; init; } = new();
    public SplitConfig Split { get; init; } = new();
    public ExportConfig Export { get; init; } = new();
}

/// <summary>The embedded sample: synthetic reflectance for real scene ids, generated on first run.</summary>
public sealed record SampleConfig
{
    public bool Enabled { get; init; }
    public int Seed { get; init; } = 20220315;
}

public sealed record AoiConfig
{
    /// <summary>A GeoJSON polygon/multipolygon (EPSG:4326) or a chip payload exported by the Select-AOI page.</summary>
    public string? Geojson { get; init; }
    /// <summary>[min_lon, min_lat, max_lon, max_lat] in EPSG:4326.</summary>
    public IReadOnlyList<double>? Bbox { get; init; }
    /// <summary>Explicit chip ids (chip_RRR_CCC).</summary>
    public IReadOnlyList<string>? ChipIds { get; init; }
}

public sealed record GridConfig
{
    public string Chips4326 { get; init; } = "data/grid/chip_bbox.geojson";
    public string Chips5070 { get; init; } = "data/grid/chip_bbox_5070.geojson";
    public string TileCentroids { get; init; } = "data/grid/s2_tile_centroids.csv";
}

public sealed record TilesConfig
{
    /// <summary>nearest-centroid (the original) or containing.</summary>
    public string Mode { get; init; } = "nearest-centroid";
}

public sealed record StacConfig
{
    /// <summary>A STAC API URL, or a path to a static catalog.json.</summary>
    public string CmrUrl { get; init; } = "https://cmr.earthdata.nasa.gov/stac/LPCLOUD";
    public string Collection { get; init; } = "HLSS30_2.0";
    /// <summary>
    /// The original sent ".../2022-09-30T00:00:00Z", yet its real output holds 33 scenes sensed later that day
    /// (CMR answered for the whole end day); ending at 23:59:59 gives the original's answer from any server.
    /// </summary>
    public string Datetime { get; init; } = "2022-03-01T00:00:00Z/2022-09-30T23:59:59Z";
    /// <summary>The Easier STAC API (scene → band CIDs), or a path to a static catalog.json.</summary>
    public string EasierUrl { get; init; } = "https://stac.easierdata.info";
    public string? EasierCollection { get; init; }
    public int Concurrency { get; init; } = 50;
    public int MaxTries { get; init; } = 5;
    public double TimeoutSeconds { get; init; } = 60;
    /// <summary>Environment variable holding an Earthdata bearer token (else ~/.netrc is used).</summary>
    public string TokenEnv { get; init; } = "EARTHDATA_TOKEN";
}

public sealed record SelectionConfig
{
    public int CloudCoverThreshold { get; init; } = 5;
    public IReadOnlyList<int> CoverageThresholds { get; init; } = [100, 90, 80, 70, 60, 50];
    public int MinScenes { get; init; } = 3;
}

public sealed record IpfsSource
{
    /// <summary>car (a CAR file or folder of CARs), kubo (RPC API), gateway (path gateway), trustless (CAR gateway).</summary>
    public string Kind { get; init; } = "";
    public string? Url { get; init; }
    public string? Path { get; init; }
    public int? Concurrency { get; init; }
}

public sealed record IpfsConfig
{
    public IReadOnlyList<IpfsSource> Sources { get; init; } = [new() { Kind = "kubo", Url = "http://127.0.0.1:5001" }];
    public int Concurrency { get; init; } = 8;
    public double TimeoutSeconds { get; init; } = 120;
    public int MaxTries { get; init; } = 3;
    /// <summary>Timeout of the retrievability check (the original's `ipfs block stat --timeout 30s`).</summary>
    public double CheckTimeoutSeconds { get; init; } = 30;
}

public sealed record ReprojectConfig
{
    /// <summary>original: chips bit-identical to the original's whole-grid warp; exact: per-chip exact warp.</summary>
    public string Mode { get; init; } = "original";
    /// <summary>Also write whole reprojected tiles (the original's tiles_reprojected/). Costly; off by default.</summary>
    public bool WriteTiles { get; init; }
}

public sealed record CdlConfig
{
    public string Path { get; init; } = "data/cdl/2021_30m_cdls_kansas_clip.tif";
    public string ReclassTable { get; init; } = "data/classes/cdl_total_dst.csv";
}

public sealed record ChipsConfig
{
    public int Size { get; init; } = 224;
    /// <summary>Values counted as NA before clipping negatives to 0. The original counted only -1000.</summary>
    public IReadOnlyList<int> NaValues { get; init; } = [-1000];
    /// <summary>Also count each band's declared nodata (-9999 in HLS v2.0), the spec's fix of the original's defect.</summary>
    public bool CountBandNodata { get; init; } = true;
    /// <summary>GeoTIFF compression of chip files: NONE (as published), LZW or DEFLATE.</summary>
    public string Compression { get; init; } = "NONE";
}

public sealed record FilterConfig
{
    public double MaxBadPct { get; init; } = 5;
    public long MaxNaCount { get; init; } = 0;
}

public sealed record SplitConfig
{
    public string Seed { get; init; } = "42";
    public double TrainFraction { get; init; } = 0.8;
    /// <summary>Import a published split (train/val id CSVs) instead of computing one.</summary>
    public string? ImportTrain { get; init; }
    public string? ImportVal { get; init; }
}

public sealed record ExportConfig
{
    public bool Huggingface { get; init; } = true;
    public bool Baseline { get; init; } = true;
}
