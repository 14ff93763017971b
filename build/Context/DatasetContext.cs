using CropData.Dataset.Config;
using CropData.Geo;
using CropData.Graph;
using CropData.IpfsGdal;

namespace CropData.Build.Context;

/// <summary>The typed context every stage receives: configuration, dataset paths, logging, cancellation.</summary>
[TaskArgument("root", "PATH", "repository root that relative config paths start from (default: the current folder)")]
[TaskArgument("config-name", "NAME", "how the report names the config (default: the --config path); job scripts pass the config the user gave, not its per-shard copy")]
[BuildHelp("Configuration: --config=PATH (default config/config.yaml, the embedded sample, built offline). Every key is\n" +
           "documented in docs/CONFIG.md; the stage rules in docs/PIPELINE.md. Examples:\n" +
           "  ./build.sh                                   build the sample dataset\n" +
           "  ./build.sh --dryrun --verbosity=verbose      what would build and why\n" +
           "  ./build.sh --target=chips --exclusive        one stage\n" +
           "  ./build.sh --target=verify                   check a dataset against its manifest")]
public sealed class DatasetContext : BuildContext
{
    public const string DefaultConfigPath = "config/config.yaml";

    public DatasetContext(BuildOptions options) : base(options)
    {
        RepoRoot = Path.GetFullPath(options.Argument("root") ?? Directory.GetCurrentDirectory());
        ConfigPath = options.ConfigPath ?? DefaultConfigPath;
        ConfigName = options.Argument("config-name") ?? ConfigPath;
        Loaded = ConfigLoader.Load(Path.GetFullPath(ConfigPath, RepoRoot));
        Config = Loaded.Config;
        DataDir = Path.GetFullPath(Config.DataDir, RepoRoot);
        _centroids = new Lazy<IReadOnlyList<TileCentroid>>(() => S2TileCentroids.ReadCsv(Resolve(Config.Grid.TileCentroids)));
        _tileAssigner = new Lazy<TileAssigner>(() => new TileAssigner(_centroids.Value));
        _grid = new Lazy<ChipGrid>(() => ChipGrid.Load(Resolve(Config.Grid.Chips4326), Resolve(Config.Grid.Chips5070)));
        Paths = new DatasetPaths(Path.Combine(DataDir, "training_datasets", Config.TrainDatasetName), DataDir);
        _fetcher = new Lazy<CropData.Ipfs.Retrieval.IpfsFetcher>(() => IpfsSetup.CreateFetcher(this));
        _https = new Lazy<CropData.Stac.Download.EarthdataDownloader>(() => StacSources.OpenDownloader(this));
        _bandFiles = new Lazy<IpfsVirtualFiles>(() => new IpfsVirtualFiles(IpfsSetup.CreateBlockFetcher(this)));
        _cdlInfo = new Lazy<CropData.Raster.CdlRasterInfo>(() => CropData.Raster.CdlRasterInfo.Read(Resolve(Config.Cdl.Path)));
        if (Config.Aoi.ChipIds is { } ids) CheckChipIds(ids);
    }

    /// <summary>
    /// aoi.chip_ids are checked before any stage runs: each must be a chip id, and its square must lie on the CDL raster
    /// (an id outside it would build a chip on another continent from nothing but its number).
    /// </summary>
    private void CheckChipIds(IReadOnlyList<string> ids)
    {
        var bad = ids.Where(id => !ChipId.TryParse(id, out _)).ToList();
        if (bad.Count > 0)
            throw new ConfigException($"{ConfigPath}: aoi.chip_ids: {string.Join(", ", bad.Select(b => $"'{b}'"))} " +
                                      $"{(bad.Count == 1 ? "is not a chip id" : "are not chip ids")}: expected chip_RRR_CCC (row and column on the CDL grid, e.g. chip_184_236)");
        if (!File.Exists(Resolve(Config.Cdl.Path))) return; // the national CDL is fetched later (fetch-inputs); the stages name it if it is missing
        CropData.Raster.CdlRasterInfo cdl;
        try
        {
            cdl = CdlInfo;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // not a CDL raster on the national grid: the stages that read it name it (one error there, with what was expected)
        }
        var outside = ids.Select(ChipId.Parse).Where(chip => !cdl.Contains(chip)).Select(chip => chip.ToString()).ToList();
        if (outside.Count == 0) return;
        int size = CropData.Raster.CdlGrid.ChipSize;
        int firstRow = (cdl.NationalRow + size - 1) / size, lastRow = (cdl.NationalRow + cdl.Height) / size - 1;
        int firstCol = (cdl.NationalColumn + size - 1) / size, lastCol = (cdl.NationalColumn + cdl.Width) / size - 1;
        throw new ConfigException($"{ConfigPath}: aoi.chip_ids: {string.Join(", ", outside.Take(10))}{(outside.Count > 10 ? $" and {outside.Count - 10} more" : "")} " +
                                  $"not on the CDL raster {Config.Cdl.Path} (it holds whole chips of rows {firstRow:000}-{lastRow:000}, columns {firstCol:000}-{lastCol:000})");
    }

    private readonly Lazy<ChipGrid> _grid;
    private readonly Lazy<TileAssigner> _tileAssigner;

    private readonly Lazy<IReadOnlyList<TileCentroid>> _centroids;

    /// <summary>
    /// Warp chunks shared by the reproject units of this build (the chip rows of one band file): one cache per build,
    /// since band files do not change while the reproject stage runs.
    /// </summary>
    public CropData.Gdal.WarpedChunkCache WarpCache { get; } = new() { Reads = IpfsVirtualFiles.ReadLog };

    /// <summary>The Sentinel-2 tile centroids, indexed for chip → tile assignment (built once, on first use).</summary>
    public TileAssigner TileAssigner => Touch(Config.Grid.TileCentroids, _tileAssigner).Value;

    /// <summary>One tile's UTM footprint from its centroid, without indexing every tile as <see cref="TileAssigner"/> does.</summary>
    public NetTopologySuite.Geometries.Envelope? TileFootprintUtm(string tile)
    {
        var id = MgrsTile.Parse(tile).Id;
        var centroid = Touch(Config.Grid.TileCentroids, _centroids).Value.FirstOrDefault(t => t.TileId == id)
            ?? throw new GeoInputException($"tile {tile} is not among the {_centroids.Value.Count} tile centroids of {Config.Grid.TileCentroids}");
        return TileAssigner.FootprintUtm(centroid);
    }

    /// <summary>The 5,000 pre-generated chips (loaded once, on first use).</summary>
    public ChipGrid Grid => Touch((Config.Grid.Chips4326, Config.Grid.Chips5070), _grid).Value;

    /// <summary>A chip of the grid, or one built from its id when the AOI names a chip outside the grid.</summary>
    public Chip Chip(string id) => ChipFactory.Resolve(Grid, id);

    /// <summary>
    /// The files of the repository or the machine that the config reads as inputs (config paths, as written): what the
    /// manifest pins and what <c>fetch-inputs</c> fetches when data.manifest.json has them.
    /// </summary>
    public IReadOnlyList<string> InputFiles =>
        new[] { Config.Cdl.Path, Config.Cdl.ReclassTable, Config.Grid.Chips4326, Config.Grid.Chips5070, Config.Grid.TileCentroids }
            .Select(FileOnDisk).ToList();

    /// <summary>The file a GDAL path reads: <c>/vsizip/data/x.zip/inner.tif</c> → <c>data/x.zip</c>; other paths as they are.</summary>
    public static string FileOnDisk(string path)
    {
        if (!path.StartsWith("/vsizip/", StringComparison.Ordinal)) return path;
        var inner = path["/vsizip/".Length..];
        int zip = inner.IndexOf(".zip", StringComparison.OrdinalIgnoreCase);
        return zip < 0 ? inner : inner[..(zip + 4)];
    }

    public string ConfigPath { get; }

    /// <summary>
    /// The config as the user named it, for outputs (the report): a shard or merge job builds from a generated copy
    /// in a scratch folder, whose path must not make its report differ from an unsharded build's.
    /// </summary>
    public string ConfigName { get; }
    public LoadedConfig Loaded { get; }
    public DatasetConfig Config { get; }
    public DatasetPaths Paths { get; }

    /// <summary>Relative paths in the config are taken from here: the repository root (build.sh runs the host
    /// there), or --root=PATH.</summary>
    public string RepoRoot { get; }

    /// <summary>The config's data_dir, absolute.</summary>
    public string DataDir { get; }

    /// <summary>What the earlier stages produced (the AOI's chips, chips by tile, selected scenes, QA records, ...).</summary>
    public DatasetState State => _state ??= new DatasetState(this);
    private DatasetState? _state;

    /// <summary>The IPFS fetcher of this run (its sources, retries and concurrency from ipfs.*), made on first use.</summary>
    public CropData.Ipfs.Retrieval.IpfsFetcher Fetcher => Touch((Config.Ipfs.Sources, Config.Ipfs.MaxTries, Config.Ipfs.TimeoutSeconds, Config.Ipfs.CheckTimeoutSeconds), _fetcher).Value;
    private readonly Lazy<CropData.Ipfs.Retrieval.IpfsFetcher> _fetcher;

    /// <summary>The https band source of this run (download.*, the Earthdata token of stac.token_env), made on first use.</summary>
    public CropData.Stac.Download.EarthdataDownloader Https =>
        Touch((Config.Download.AuthHosts, Config.Download.MaxTries, Config.Download.TimeoutSeconds, Config.Stac.TokenEnv), _https).Value;
    private readonly Lazy<CropData.Stac.Download.EarthdataDownloader> _https;

    /// <summary>download.mode ranges (with a source serving blocks): stage 8 reads the bands that have a CID from
    /// /vsiipfs/CID (verified blocks), and stage 7 fetches whole only the bands without one (https).</summary>
    public bool RangesMode => Config.Download.ReadsBlocks(Config.Ipfs);

    /// <summary>The /vsiipfs/ band files of this run (download.mode ranges), made on first use.</summary>
    public IpfsVirtualFiles BandFiles =>
        Touch((Config.Ipfs.Sources, Config.Ipfs.Concurrency, Config.Ipfs.MaxTries, Config.Ipfs.TimeoutSeconds, Config.Download.BlockCacheMaxMb), _bandFiles).Value;
    private readonly Lazy<IpfsVirtualFiles> _bandFiles;

    /// <summary>Whether stage 8 reads a scene band by range from IPFS: in ranges mode, when the band has a CID.</summary>
    public bool ReadsByRange(string scene, string band) => RangesMode && State.BandPlan(scene, band).Cid is not null;

    /// <summary>What stage 8 reads for a scene band: its plan when read by range (the CID in it is the content hash),
    /// else the file in tiles/.</summary>
    public string BandInput(string scene, string band) => ReadsByRange(scene, band) ? Paths.BandPlan(scene, band) : Paths.Band(scene, band);

    /// <summary>The path GDAL opens for a scene band: <c>/vsiipfs/CID</c> when read by range, else the file in tiles/.</summary>
    public string BandReadPath(string scene, string band) =>
        ReadsByRange(scene, band) ? IpfsVirtualFiles.PathOf(State.BandPlan(scene, band).Cid!) : Paths.Band(scene, band);

    /// <summary>The CDL raster's grid (read once; a CDL that is no raster, not EPSG:5070 or off the national grid fails here).</summary>
    public CropData.Raster.CdlRasterInfo CdlInfo => Touch(Config.Cdl.Path, _cdlInfo).Value;
    private readonly Lazy<CropData.Raster.CdlRasterInfo> _cdlInfo;

    public override IEnumerable<string> SharedFolders => [DataDir];

    /// <summary>A flag option of the command line (<c>--all</c>, <c>--link</c>): absent or false/0/no is false.</summary>
    public bool Flag(string name) => Argument(name)?.ToLowerInvariant() switch
    {
        null or "false" or "0" or "no" => false,
        "" or "true" or "1" or "yes" => true,
        var v => throw new BuildUsageException($"--{name} takes no value or true/false, not '{v}'"),
    };

    public override IReadOnlyDictionary<string, string> PathRoots => new Dictionary<string, string> { ["data_dir"] = DataDir };

    public override string? DisplayRoot => RepoRoot;

    public override string StateDirectory => Paths.State;

    public override string? ConfigValue(string key) => Loaded.Value(key);

    public override IDisposable? DeclareConfigReads(string task, IReadOnlyCollection<string> keys) =>
        ConfigReads.Declare($"task '{task}'", keys);

    /// <summary>
    /// A value made once from config keys is read through the keys again on every use, so a task that uses it
    /// must declare them even when another task made it first.
    /// </summary>
    private static T Touch<TKeys, T>(TKeys keys, T made)
    {
        _ = keys;
        return made;
    }

    /// <summary>A config path made absolute against the repository root.</summary>
    /// <summary>
    /// A config path made absolute against the repository root; "${data_dir}" stands for the data folder, so
    /// generated inputs (the sample's catalogs and CAR) follow data_dir wherever it points.
    /// </summary>
    public string Resolve(string path)
    {
        path = path.Replace("${data_dir}", DataDir, StringComparison.Ordinal);
        // GDAL virtual paths (the national CDL read inside its zip): resolve the file part only.
        foreach (var prefix in new[] { "/vsizip/", "/vsigzip/", "/vsitar/" })
            if (path.StartsWith(prefix, StringComparison.Ordinal))
                return prefix + Path.GetFullPath(path[prefix.Length..], RepoRoot);
        return Path.GetFullPath(path, RepoRoot);
    }

    /// <summary>The file whose content fingerprints the CDL: the raster itself, or the archive holding it.</summary>
    public string CdlInputFile
    {
        get
        {
            var cdl = Resolve(Config.Cdl.Path);
            if (!cdl.StartsWith("/vsi", StringComparison.Ordinal)) return cdl;
            var inner = cdl[(cdl.IndexOf('/', 1) + 1)..];
            foreach (var ext in new[] { ".zip", ".gz", ".tar" })
            {
                var i = inner.IndexOf(ext, StringComparison.OrdinalIgnoreCase);
                if (i > 0) return "/" + inner[..(i + ext.Length)].TrimStart('/');
            }
            return cdl;
        }
    }

    /// <summary>The bands each scene provides to the chips: the reflectance bands then Fmask.</summary>
    public IReadOnlyList<string> SceneBands => [.. Bands.All];

    /// <summary>The config's reflectance bands and quality band: the one rule for which band is which.</summary>
    public CropData.Raster.SceneBandSet Bands => new(Config.Bands, Config.FmaskBand);

    public static string ToolVersion =>
        typeof(DatasetContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
