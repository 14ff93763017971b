namespace CropData.Graph.Tests;

/// <summary>The incremental rules of issue 3: each test builds once, changes one thing and checks what rebuilt.</summary>
public sealed class IncrementalTests : IDisposable
{
    private readonly World _w = new();

    public IncrementalTests()
    {
        _w.Chips = ["c1", "c2", "c3"];
        _w.WriteInput("c1", "one");
        _w.WriteInput("c2", "two");
        _w.WriteInput("c3", "three");
        _w.Config["prefix"] = "p-";
        _w.Config["case"] = "upper";
        _w.Config["comment"] = "first";
    }

    public void Dispose() => _w.Dispose();

    private async Task<BuildResult> BuildOk(params string[] args)
    {
        var r = await _w.Build(args);
        Assert.True(r.ExitCode == 0, _w.LastOutput);
        return r;
    }

    [Fact]
    public async Task FirstBuildBuildsEverythingInOrder()
    {
        var r = await BuildOk();
        Assert.Equal(["source", "upper", "merge", "report"], r.Tasks.Select(t => t.Name));
        Assert.Equal(3, r.Task("source")!.Built);
        Assert.Equal(3, r.Task("upper")!.Built);
        Assert.Equal("P-ONE|P-TWO|P-THREE".Split('|').Order(StringComparer.Ordinal), _w.Read("merged.txt").Split('|').Order(StringComparer.Ordinal));
        Assert.Equal("P-ONE|P-TWO|P-THREE", _w.Read("merged.txt"));
        Assert.Equal(1, _w.ReportRuns);
        Assert.True(File.Exists(_w.StampPath("source", "c1")));
        Assert.Contains("Build succeeded.", _w.LastOutput);
    }

    [Fact]
    public async Task NoOpRerunRebuildsAndRewritesNothing()
    {
        await BuildOk();
        var before = _w.Snapshot();
        Assert.Contains(before.Keys, k => k.EndsWith(Path.Combine("stamps", "upper", "c2.json"), StringComparison.Ordinal));
        var r = await BuildOk();
        Assert.Empty(_w.Runs);
        Assert.All(r.Tasks.Where(t => t.IsUnitTask), t => Assert.Equal(TaskRunStatus.UpToDate, t.Status));
        Assert.Equal(3, r.Task("source")!.UpToDate);
        Assert.True(r.EverythingUpToDate);
        Assert.Contains("Everything is up to date.", _w.LastOutput);
        Assert.Equal(before, _w.Snapshot());
        Assert.Equal(2, _w.ReportRuns); // plain tasks have no stamps: they run whenever reached
    }

    [Fact]
    public async Task ConfigKeyChangeRebuildsOnlyTheTasksThatReadIt()
    {
        await BuildOk();
        _w.Config["case"] = "lower";
        var r = await BuildOk();
        Assert.Empty(_w.RanIn("source"));
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("upper"));
        Assert.All(r.Task("upper")!.Units, u => Assert.Contains(new BuildReason(ReasonKind.ConfigChanged, "case: upper → lower", "case", "upper", "lower"), u.Reasons));
        Assert.Equal(["all"], _w.RanIn("merge")); // its inputs really changed
        Assert.Equal("p-one|p-two|p-three", _w.Read("merged.txt"));
    }

    [Fact]
    public async Task EarlyCutoffIdenticalUpstreamBytesLeaveDependantsUpToDate()
    {
        await BuildOk();
        var before = _w.Snapshot();
        _w.Config["comment"] = "second"; // read by source, but does not change what it writes
        var r = await BuildOk();
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("source"));
        Assert.Equal(3, r.Task("source")!.Built);
        Assert.Empty(_w.RanIn("upper"));
        Assert.Empty(_w.RanIn("merge"));
        Assert.Equal(TaskRunStatus.UpToDate, r.Task("upper")!.Status);
        Assert.Equal(TaskRunStatus.UpToDate, r.Task("merge")!.Status);
        // identical outputs are not even replaced (restat), so tools watching mtimes see nothing either
        Assert.Equal(before[_w.P("a", "c1.txt")], File.GetLastWriteTimeUtc(_w.P("a", "c1.txt")));
        Assert.Equal(before[_w.P("b", "c1.txt")], File.GetLastWriteTimeUtc(_w.P("b", "c1.txt")));
        Assert.NotEqual(before[_w.StampPath("source", "c1")], File.GetLastWriteTimeUtc(_w.StampPath("source", "c1")));

        // and the new stamp is current: a third run does nothing
        await BuildOk();
        Assert.Empty(_w.Runs);
    }

    [Fact]
    public async Task ChangedInputFileRebuildsOnlyItsChain()
    {
        await BuildOk();
        _w.WriteInput("c2", "TWO!");
        var r = await BuildOk();
        Assert.Equal(["c2"], _w.RanIn("source"));
        Assert.Equal(["c2"], _w.RanIn("upper"));
        Assert.Equal(["all"], _w.RanIn("merge"));
        Assert.Equal(new BuildReason(ReasonKind.InputChanged, "in/c2.txt"), r.Task("source")!.Unit("c2")!.Reasons.Single());
        Assert.Equal("P-ONE|P-TWO!|P-THREE", _w.Read("merged.txt"));
    }

    [Fact]
    public async Task AddingUnitsBuildsOnlyTheNewUnitsAndAggregates()
    {
        await BuildOk();
        _w.Chips = ["c1", "c2", "c3", "c4"];
        _w.WriteInput("c4", "four");
        var r = await BuildOk();
        Assert.Equal(["c4"], _w.RanIn("source"));
        Assert.Equal(["c4"], _w.RanIn("upper"));
        Assert.Equal(["all"], _w.RanIn("merge"));
        Assert.Equal(new BuildReason(ReasonKind.New), r.Task("source")!.Unit("c4")!.Reasons.Single());
        Assert.Equal(3, r.Task("upper")!.UpToDate);
        Assert.Equal("P-ONE|P-TWO|P-THREE|P-FOUR", _w.Read("merged.txt"));
    }

    [Fact]
    public async Task RemovingUnitsDeletesTheirRecordedOutputsAndStamps()
    {
        _w.WriteInput("c2", "two FLAG");
        await BuildOk();
        Assert.True(File.Exists(_w.P("a", "c2.flag")));
        _w.Chips = ["c1", "c3"];
        var r = await BuildOk();
        Assert.False(File.Exists(_w.P("a", "c2.txt")));
        Assert.False(File.Exists(_w.P("a", "c2.flag")));
        Assert.False(File.Exists(_w.P("b", "c2.txt")));
        Assert.False(File.Exists(_w.StampPath("source", "c2")));
        Assert.False(File.Exists(_w.StampPath("upper", "c2")));
        Assert.Equal(1, r.Task("source")!.Removed);
        Assert.Equal(1, r.Task("upper")!.Removed);
        Assert.Empty(_w.RanIn("source"));
        Assert.Equal(["all"], _w.RanIn("merge"));
        Assert.Equal("P-ONE|P-THREE", _w.Read("merged.txt"));
        Assert.Contains("source: removed 1 stale unit(s)", _w.LastOutput);
    }

    [Fact]
    public async Task DeletedOutputRebuildsOnlyThatUnit()
    {
        await BuildOk();
        File.Delete(_w.P("a", "c3.txt"));
        var r = await BuildOk();
        Assert.Equal(["c3"], _w.RanIn("source"));
        Assert.Equal(new BuildReason(ReasonKind.OutputMissing, "a/c3.txt"), r.Task("source")!.Unit("c3")!.Reasons.Single());
        Assert.Empty(_w.RanIn("upper")); // the rebuilt file has the same bytes
        Assert.Empty(_w.RanIn("merge"));
        Assert.Equal("p-three", _w.Read("a", "c3.txt"));
    }

    [Fact]
    public async Task CorruptedOutputRebuildsOnlyThatUnit()
    {
        await BuildOk();
        File.WriteAllText(_w.P("b", "c1.txt"), "P-ONX"); // same size, other bytes
        var r = await BuildOk();
        Assert.Empty(_w.RanIn("source"));
        Assert.Equal(["c1"], _w.RanIn("upper"));
        Assert.Equal(new BuildReason(ReasonKind.OutputChanged, "b/c1.txt"), r.Task("upper")!.Unit("c1")!.Reasons.Single());
        Assert.Empty(_w.RanIn("merge"));
        Assert.Equal("P-ONE", _w.Read("b", "c1.txt"));
    }

    [Fact]
    public async Task TaskVersionBumpRebuildsEveryUnitOfThatTask()
    {
        await BuildOk();
        Ambient.SourceVersion.Value = "2";
        var r = await BuildOk();
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("source"));
        Assert.Contains(new BuildReason(ReasonKind.TaskVersionChanged, "1 -> 2"), r.Task("source")!.Unit("c1")!.Reasons);
        Assert.Empty(_w.RanIn("upper"));
    }

    [Fact]
    public async Task DeclaredOutputNotProducedAnyMoreIsDeleted()
    {
        _w.WriteInput("c1", "one FLAG");
        await BuildOk();
        Assert.Equal("flagged", _w.Read("a", "c1.flag"));
        var stamp = File.ReadAllText(_w.StampPath("source", "c1"));
        Assert.Contains("a/c1.flag", stamp);

        _w.WriteInput("c1", "one");
        await BuildOk();
        Assert.False(File.Exists(_w.P("a", "c1.flag")));
        Assert.DoesNotContain("\"path\": \"a/c1.flag\"", File.ReadAllText(_w.StampPath("source", "c1")));
        await BuildOk();
        Assert.Empty(_w.Runs);
    }

    [Fact]
    public async Task ForceOneTaskRebuildsItsUnitsAndEarlyCutoffStillApplies()
    {
        await BuildOk();
        var r = await BuildOk("--force=upper");
        Assert.Empty(_w.RanIn("source"));
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("upper"));
        Assert.All(r.Task("upper")!.Units, u => Assert.Equal(ReasonKind.Forced, u.Reasons[0].Kind));
        Assert.Empty(_w.RanIn("merge"));
    }

    [Fact]
    public async Task ForceWithoutListRebuildsEverything()
    {
        await BuildOk();
        await BuildOk("--force");
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("source"));
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("upper"));
        Assert.Equal(["all"], _w.RanIn("merge"));
    }

    [Fact]
    public async Task ExclusiveRunsOnlyTheTarget()
    {
        await BuildOk();
        File.Delete(_w.P("b", "c2.txt"));
        _w.Config["prefix"] = "q-"; // source is out of date, but --exclusive does not look at it
        var r = await BuildOk("--target=upper", "--exclusive");
        Assert.Equal(["upper"], r.Tasks.Select(t => t.Name));
        Assert.Equal(["c2"], _w.RanIn("upper"));
        Assert.Equal("P-TWO", _w.Read("b", "c2.txt"));
        Assert.Equal(0, _w.ReportRuns - 1);
    }

    [Fact]
    public async Task TargetRunsItsDependenciesOnly()
    {
        var r = await BuildOk("--target", "upper");
        Assert.Equal(["source", "upper"], r.Tasks.Select(t => t.Name));
        Assert.False(File.Exists(_w.P("merged.txt")));
    }

    [Fact]
    public async Task WarningsAreRecordedAndShown()
    {
        _w.WriteInput("c3", "three WARN");
        var r = await BuildOk();
        var warning = Assert.Single(r.Warnings);
        Assert.Equal(new UnitWarning("source", "c3", "c3 looks odd"), warning);
        Assert.Contains("Warnings: 1", _w.LastOutput);
    }

    [Fact]
    public async Task MovedDatasetFolderStaysUpToDate()
    {
        await BuildOk();
        using var moved = new World { Chips = _w.Chips };
        foreach (var kv in _w.Config) moved.Config[kv.Key] = kv.Value;
        Directory.Delete(moved.Root);
        CopyDirectory(_w.Root, moved.Root);
        var r = await moved.Build();
        Assert.True(r.ExitCode == 0, moved.LastOutput);
        Assert.Empty(moved.Runs);
        Assert.True(r.EverythingUpToDate, moved.LastOutput);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    [Fact]
    public async Task OldInputsAreVouchedForByStatAndChangesAreStillSeen()
    {
        foreach (var c in _w.Chips) File.SetLastWriteTimeUtc(_w.P("in", c + ".txt"), DateTime.UtcNow.AddHours(-1));
        await BuildOk();
        var stamp = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_w.StampPath("source", "c1")));
        var input = stamp.RootElement.GetProperty("inputs")[0];
        Assert.Equal(3, input.GetProperty("size").GetInt64());
        Assert.Equal(File.GetLastWriteTimeUtc(_w.P("in", "c1.txt")).Ticks, input.GetProperty("mtime").GetInt64());
        Assert.Equal(0, (await BuildOk()).FilesHashed); // the no-op check reads no file content

        _w.WriteInput("c1", "ONE"); // same size, new mtime
        var r = await BuildOk();
        Assert.Equal(["c1"], _w.RanIn("source"));
        Assert.Equal(new BuildReason(ReasonKind.InputChanged, "in/c1.txt"), r.Task("source")!.Unit("c1")!.Reasons.Single());
    }

    [Fact]
    public async Task FreshInputsAreRehashedSoASameTickRewriteIsSeen()
    {
        // Git's "racy clean" case: a file rewritten with the same size so soon after it was hashed that it
        // keeps its mtime. Restoring the mtime by hand makes the worst case certain.
        DateTime mtime = File.GetLastWriteTimeUtc(_w.P("in", "c2.txt"));
        await BuildOk();
        var input = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_w.StampPath("source", "c2"))).RootElement.GetProperty("inputs")[0];
        Assert.Equal(0, input.GetProperty("mtime").GetInt64()); // too fresh to vouch for

        File.WriteAllText(_w.P("in", "c2.txt"), "TWO");
        File.SetLastWriteTimeUtc(_w.P("in", "c2.txt"), mtime);
        await BuildOk();
        Assert.Equal(["c2"], _w.RanIn("source"));
        Assert.Equal("p-TWO", _w.Read("a", "c2.txt"));
    }

    [Fact]
    public async Task EditedStampFileWinsOverTheIndex()
    {
        await BuildOk();
        await BuildOk(); // the index now holds every stamp
        string path = _w.StampPath("source", "c3");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"version\": \"1\"", "\"version\": \"0\"", StringComparison.Ordinal));
        var r = await BuildOk();
        Assert.Equal(["c3"], _w.RanIn("source"));
        Assert.Equal(new BuildReason(ReasonKind.TaskVersionChanged, "0 -> 1"), r.Task("source")!.Unit("c3")!.Reasons.Single());
    }

    [Fact]
    public async Task StatsTrustedLaterAreRecordedInTheIndexNotTheStamps()
    {
        await BuildOk(); // inputs just written: hashed, not vouched for by stat
        foreach (var c in _w.Chips) File.SetLastWriteTimeUtc(_w.P("in", c + ".txt"), DateTime.UtcNow.AddHours(-1));
        var stamps = _w.Snapshot();
        var second = await BuildOk();
        Assert.Equal(3, second.FilesHashed); // the three inputs, once more, now old enough to trust
        Assert.Empty(_w.Runs);
        Assert.Equal(stamps.Where(kv => kv.Key.EndsWith(".json", StringComparison.Ordinal)),
            _w.Snapshot().Where(kv => kv.Key.EndsWith(".json", StringComparison.Ordinal)));
        Assert.Equal(0, (await BuildOk()).FilesHashed);
    }

    [Fact]
    public async Task AfterUnitsRunsOnceAfterTheUnitsEvenWhenNothingBuiltButNotInADryRun()
    {
        await BuildOk();
        Assert.Equal(["source:3"], _w.Gathers);
        await BuildOk();
        Assert.Empty(_w.Runs);
        Assert.Equal(["source:3"], _w.Gathers);
        await BuildOk("--dryrun");
        Assert.Empty(_w.Gathers);
    }
}
