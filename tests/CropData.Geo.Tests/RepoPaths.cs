namespace CropData.Geo.Tests;

/// <summary>Finds the repository root (the folder holding CropData.sln) from the test binary's folder.</summary>
internal static class RepoPaths
{
    public static readonly string Root = Find();

    public static string Data(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
        throw new InvalidOperationException($"no CropData.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temp folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cropdata-geo-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

/// <summary>Loading the grid and the centroids once per test run keeps the suite fast.</summary>
public sealed class GridFixture : IDisposable
{
    public ChipGrid Grid { get; } = ChipGrid.LoadFromRepo(RepoPaths.Root);
    public IReadOnlyList<TileCentroid> Centroids { get; } =
        S2TileCentroids.ReadCsv(RepoPaths.Data(S2TileCentroids.CsvRelativePath));

    private TileAssigner? _assigner;
    private readonly object _gate = new();

    /// <summary>Use only under <see cref="Lock"/>: the assigner is not thread-safe.</summary>
    public TileAssigner Assigner => _assigner ??= new TileAssigner(Centroids);

    public object Lock => _gate;

    public void Dispose() => _assigner?.Dispose();
}

[CollectionDefinition("grid")]
public sealed class GridCollection : ICollectionFixture<GridFixture>;
