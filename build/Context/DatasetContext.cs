using CropData.Dataset.Config;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Context;

/// <summary>The typed context every stage receives: configuration, dataset paths, logging, cancellation.</summary>
public sealed class DatasetContext : BuildContext
{
    public const string DefaultConfigPath = "config/config.yaml";

    public DatasetContext(BuildOptions options) : base(options)
    {
        RepoRoot = Path.GetFullPath(options.Argument("root") ?? Directory.GetCurrentDirectory());
        ConfigPath = options.ConfigPath ?? DefaultConfigPath;
        Loaded = ConfigLoader.Load(Path.GetFullPath(ConfigPath, RepoRoot));
        Config = Loaded.Config;
        DataDir = Path.GetFullPath(Config.DataDir, RepoRoot);
        _tileAssigner = new Lazy<TileAssigner>(() => new TileAssigner(S2TileCentroids.ReadCsv(Resolve(Config.Grid.TileCentroids))));
        _grid = new Lazy<ChipGrid>(() => ChipGrid.Load(Resolve(Config.Grid.Chips4326), Resolve(Config.Grid.Chips5070)));
        Paths = new DatasetPaths(Path.Combine(DataDir, "training_datasets", Config.TrainDatasetName), DataDir);
    }

    private readonly Lazy<ChipGrid> _grid;
    private readonly Lazy<TileAssigner> _tileAssigner;

    /// <summary>The Sentinel-2 tile centroids (loaded once, on first use).</summary>
    public TileAssigner TileAssigner => _tileAssigner.Value;

    /// <summary>The 5,000 pre-generated chips (loaded once, on first use).</summary>
    public ChipGrid Grid => _grid.Value;

    /// <summary>A chip of the grid, or one built from its id when the AOI names a chip outside the grid.</summary>
    public Chip Chip(string id) => ChipFactory.Resolve(Grid, id);

    public string ConfigPath { get; }
    public LoadedConfig Loaded { get; }
    public DatasetConfig Config { get; }
    public DatasetPaths Paths { get; }

    /// <summary>Relative paths in the config are taken from here: the repository root (build.sh runs the host
    /// there), or --root=PATH.</summary>
    public string RepoRoot { get; }

    /// <summary>The config's data_dir, absolute.</summary>
    public string DataDir { get; }

    public override IEnumerable<string> SharedFolders => [DataDir];

    public override string StateDirectory => Paths.State;

    public override string? ConfigValue(string key) => Loaded.Value(key);

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
    public IReadOnlyList<string> SceneBands => [.. Config.Bands, Config.FmaskBand];

    public static string ToolVersion =>
        typeof(DatasetContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
