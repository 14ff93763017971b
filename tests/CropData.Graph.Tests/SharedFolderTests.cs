namespace CropData.Graph.Tests;

/// <summary>Two datasets whose "generate" stage writes one folder they share (as sample-data writes the data folder's sample_inputs/).</summary>
public sealed class SharedContext(BuildOptions options, World world, string shared) : WorldContext(options, world)
{
    public string Shared { get; } = shared;
    public override IEnumerable<string> SharedFolders => [Path.GetDirectoryName(Shared)!];
}

[TaskName("generate")]
public sealed class GenerateSharedTask : UnitTask<SharedContext, string>
{
    public const int Files = 8;
    public override IEnumerable<string> Units(SharedContext c) => ["tree"];
    public override string UnitId(string unit) => unit;
    public override UnitSpec Describe(string unit, SharedContext c) => new([], []) { OutputFolders = [c.Shared] };

    // Slow on purpose: a second writer without the lock would replace the tree under the reader below.
    public override void Run(string unit, SharedContext c, UnitOutputs o)
    {
        var temp = o.TempFolderFor(c.Shared);
        for (int i = 0; i < Files; i++)
        {
            File.WriteAllText(Path.Combine(temp, $"part{i}.txt"), $"part {i}\n");
            Thread.Sleep(3);
        }
    }
}

[TaskName("use")]
[IsDependentOn(typeof(GenerateSharedTask))]
public sealed class UseSharedTask : UnitTask<SharedContext, string>
{
    public override IEnumerable<string> Units(SharedContext c) => ["all"];
    public override string UnitId(string unit) => unit;
    public override UnitSpec Describe(string unit, SharedContext c) => new(
        Enumerable.Range(0, GenerateSharedTask.Files).Select(i => Path.Combine(c.Shared, $"part{i}.txt")), [c.World.P("joined.txt")]);

    public override void Run(string unit, SharedContext c, UnitOutputs o) =>
        o.WriteAllText(c.World.P("joined.txt"), string.Concat(Enumerable.Range(0, GenerateSharedTask.Files).Select(i => File.ReadAllText(Path.Combine(c.Shared, $"part{i}.txt")))));
}

/// <summary>Issue 14, case 6, at engine level: ten rounds of two datasets forcing their shared folder at the same moment.</summary>
public sealed class SharedFolderTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cropdata-shared-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    // A file of a folder that an upstream unit produces whole is not there before that unit runs: a dry run (the merge's
    // guard among others) reports it as "will be rebuilt", like a declared output file, not as missing.
    [Fact]
    public async Task A_dry_run_counts_a_file_of_an_output_folder_to_be_rebuilt_as_will_be_rebuilt_not_missing()
    {
        string shared = Path.Combine(_data, "sample_inputs");
        using var w = new World();
        var r = await w.BuildWith(o => new SharedContext(o, w, shared), ["--dryrun"]);

        Assert.Equal(UnitStatus.WouldBuild, Assert.Single(r.Task("generate")!.Units).Status);
        var use = Assert.Single(r.Task("use")!.Units);
        Assert.Equal(UnitStatus.WouldBuild, use.Status);
        Assert.DoesNotContain(use.Reasons, reason => reason.Kind == ReasonKind.InputMissing);
        Assert.Equal(GenerateSharedTask.Files, use.Reasons.Count(reason => reason.Kind == ReasonKind.UpstreamWillBuild));
        Assert.False(Directory.Exists(shared)); // a dry run writes nothing
    }

    [Fact]
    public async Task Ten_rounds_of_two_datasets_forcing_their_shared_folder_at_once_all_succeed()
    {
        string shared = Path.Combine(_data, "sample_inputs");
        using var a = new World();
        using var b = new World();
        Task<BuildResult> Run(World w) => Task.Run(() => w.BuildWith(o => new SharedContext(o, w, shared), ["--force=generate"]));
        string expected = string.Concat(Enumerable.Range(0, GenerateSharedTask.Files).Select(i => $"part {i}\n"));
        for (int round = 0; round < 10; round++)
        {
            var results = await Task.WhenAll(Run(a), Run(b));
            Assert.True(results.All(r => r.ExitCode == 0), $"round {round}:\n{a.LastOutput}\n{b.LastOutput}");
            Assert.Equal(expected, a.Read("joined.txt"));
            Assert.Equal(expected, b.Read("joined.txt"));
            Assert.Equal(GenerateSharedTask.Files, Directory.GetFiles(shared).Length);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_data), e => TempFiles.IsLeftover(Path.GetFileName(e)));
        }
    }
}
