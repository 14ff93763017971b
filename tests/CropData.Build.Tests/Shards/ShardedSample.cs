using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tests.Shards;

/// <summary>
/// The embedded sample built twice: once unsharded and once as --shard=K/3 for K = 1..3, each shard in its own
/// data folder (as separate machines would). The unsharded dataset folder is then removed (all but the stamp of the sample inputs) so that a test can
/// merge into the same data folder and config: the manifest embeds the config (data_dir included) and the
/// report names the config file, so only the same folder and config can give byte-identical manifests. Every folder
/// starts with the generated sample inputs of the shared clean build (generating them is not what sharding tests).
/// </summary>
public sealed class ShardedSample : IAsyncLifetime
{
    public const int Count = 3;

    public SampleBuild Unsharded { get; private set; } = null!;
    public byte[] UnshardedManifest { get; private set; } = [];
    public IReadOnlyList<SampleBuild> Shards { get; private set; } = [];
    public IReadOnlyList<BuildResult> ShardResults { get; private set; } = [];
    private readonly List<string> _scratch = [];

    public async Task InitializeAsync()
    {
        Unsharded = await SampleBuild.WithInputsAsync();
        var shards = new List<SampleBuild>();
        for (int k = 1; k <= Count; k++) shards.Add(await SampleBuild.WithInputsAsync());
        Shards = shards;
        await Unsharded.BuildOkAsync();
        UnshardedManifest = File.ReadAllBytes(Unsharded.File(DatasetManifest.FileName));
        // The dataset folder goes, all but sample-data's stamp: the data folder's generated inputs stay up to date, so
        // the merge does not generate them again.
        var stamp = Path.Combine(Unsharded.Dataset, ".build", "stamps", "sample-data");
        var held = Path.Combine(Unsharded.DataDir, "sample-data-stamp");
        Directory.Move(stamp, held);
        Directory.Delete(Unsharded.Dataset, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(stamp)!);
        Directory.Move(held, stamp);

        var results = new List<BuildResult>();
        for (int k = 1; k <= Count; k++) results.Add(await Shards[k - 1].BuildOkAsync($"--shard={k}/{Count}"));
        ShardResults = results;
    }

    /// <summary>A copy of shard K's dataset folder (hidden .build/ included) in a fresh temporary folder.</summary>
    public string CopyOfShard(int k)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cropdata-shardcopy-" + Guid.NewGuid().ToString("N")[..10]);
        _scratch.Add(dir);
        var source = Shards[k - 1].Dataset;
        foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var dest = Path.Combine(dir, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return dir;
    }

    public Task DisposeAsync()
    {
        Unsharded?.Dispose();
        foreach (var s in Shards) s.Dispose();
        foreach (var d in _scratch)
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return Task.CompletedTask;
    }
}
