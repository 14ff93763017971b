using CropData.Graph;

namespace CropData.Build.Tests.Shards;

/// <summary>
/// The multi-tile sample (config/sample-tiles.yaml: 2 chips in each of 14SNG, 14SNH, 14SPH) built once per test run from
/// nothing, unsharded. Its dataset folder is then moved to <see cref="Reference"/> (read it, never write it), which
/// leaves the data folder with the generated inputs and sample-data's stamp: a merge into that same folder and config
/// can be compared with the reference byte for byte (the manifest embeds the config, data_dir included). Only
/// <see cref="ShardedTiles"/> merges there.
/// </summary>
public sealed class TilesSample
{
    public const string ConfigFile = "sample-tiles.yaml", Name = "sample_tiles";
    public static readonly string[] Tiles = ["14SNG", "14SNH", "14SPH"];

    /// <summary>The data folder and config of the unsharded build; its dataset folder is empty until a merge fills it.</summary>
    public required SampleBuild Build { get; init; }
    /// <summary>The unsharded build's dataset folder (hidden .build/ included), moved out of the data folder.</summary>
    public required string Reference { get; init; }
    public required BuildResult Result { get; init; }

    public static Task<TilesSample> UnshardedAsync() => Once.Value;

    public static SampleBuild NewBuild() => new(sourceConfig: ConfigFile, datasetName: Name);

    private static readonly Lazy<Task<TilesSample>> Once = new(async () =>
    {
        var b = NewBuild();
        var result = await b.BuildOkAsync();
        var reference = b.DataDir + "-reference";
        Directory.Move(b.Dataset, reference);
        // The merge then finds sample_inputs/ up to date instead of generating it again.
        var stamp = Path.Combine(b.Dataset, ".build", "stamps", "sample-data");
        Directory.CreateDirectory(Path.GetDirectoryName(stamp)!);
        await SampleBuild.CopyAsync(Path.Combine(reference, ".build", "stamps", "sample-data"), stamp);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            b.Dispose();
            try { Directory.Delete(reference, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return new TilesSample { Build = b, Reference = reference, Result = result };
    });

    /// <summary>Every file of a dataset folder outside its engine state (.build/), by relative path.</summary>
    public static SortedDictionary<string, byte[]> DatasetFiles(string dataset) =>
        new(Directory.EnumerateFiles(dataset, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(f => Path.GetRelativePath(dataset, f))
                .Where(p => !p.StartsWith(".build" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .ToDictionary(p => p, p => File.ReadAllBytes(Path.Combine(dataset, p))),
            StringComparer.Ordinal);
}

/// <summary>
/// The multi-tile sample as 3 shards (each in its own data folder, starting from the generated inputs of the unsharded
/// build) merged into the unsharded build's data folder.
/// </summary>
public sealed class ShardedTiles : IAsyncLifetime
{
    public const int Count = 3;
    public TilesSample Unsharded { get; private set; } = null!;
    public IReadOnlyList<SampleBuild> Shards { get; private set; } = [];
    public IReadOnlyList<BuildResult> ShardResults { get; private set; } = [];
    public BuildResult Merge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Unsharded = await TilesSample.UnshardedAsync();
        var shards = new List<SampleBuild>();
        var results = new List<BuildResult>();
        for (int k = 1; k <= Count; k++)
        {
            var s = TilesSample.NewBuild();
            shards.Add(s);
            await s.CopyInputsAsync(Unsharded.Build.DataDir, Unsharded.Reference);
            results.Add(await s.BuildOkAsync($"--shard={k}/{Count}"));
        }
        Shards = shards;
        ShardResults = results;
        Merge = await Unsharded.Build.BuildOkAsync("--target=merge", "--from=" + string.Join(",", shards.Select(s => s.DataDir)));
    }

    public Task DisposeAsync()
    {
        foreach (var s in Shards) s.Dispose();
        return Task.CompletedTask;
    }
}
