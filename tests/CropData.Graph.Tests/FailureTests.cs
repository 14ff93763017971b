namespace CropData.Graph.Tests;

public sealed class FailureTests : IDisposable
{
    private readonly World _w = new();

    public FailureTests()
    {
        _w.Chips = ["c1", "c2", "c3"];
        foreach (var c in _w.Chips) _w.WriteInput(c, "text of " + c);
        _w.Config["prefix"] = "p-";
    }

    public void Dispose() => _w.Dispose();

    [Fact]
    public async Task FailingUnitStopsTheBuildAfterItsTaskLikeMake()
    {
        _w.FailIn["c2"] = 0;
        var r = await _w.Build();

        Assert.Equal(1, r.ExitCode);
        var source = r.Task("source")!;
        Assert.Equal(TaskRunStatus.Failed, source.Status);
        Assert.Equal((2, 1), (source.Built, source.Failed));
        Assert.Equal(["c1", "c2", "c3"], _w.RanIn("source")); // the rest of the task went on
        Assert.Empty(_w.RanIn("upper"));                      // nothing after it (make without -k)
        Assert.Equal(TaskRunStatus.Skipped, r.Task("upper")!.Status);
        Assert.Contains("not run: source failed", r.Task("upper")!.Note);
        Assert.Equal(0, _w.ReportRuns);
        Assert.Empty(_w.Gathers); // the failed task's gather does not describe a half-built stage

        var failure = Assert.Single(r.Failures);
        Assert.Equal(new UnitFailure("source", "c2", "boom in c2"), failure);
        Assert.Contains("Failures (1):", _w.LastOutput);
        Assert.Contains("source  c2  boom in c2", _w.LastOutput);
        Assert.Contains("Build failed", _w.LastOutput);
        Assert.False(File.Exists(_w.StampPath("source", "c2")));
        Assert.Contains("failed in source", BuildState.IncompleteReason(_w.StateDirectory));
    }

    [Fact]
    public async Task KeepGoingRunsWhatDoesNotDependOnTheFailureButNoAggregateStep()
    {
        _w.FailIn["c2"] = 0;
        var r = await _w.Build("--keep-going");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["c1", "c3"], _w.RanIn("upper"));
        Assert.Equal(UnitStatus.Skipped, r.Task("upper")!.Unit("c2")!.Status);
        Assert.Equal(ReasonKind.UpstreamFailed, r.Task("upper")!.Unit("c2")!.Reasons.Single().Kind);
        Assert.Empty(_w.RanIn("merge"));                       // aggregate: never after a failure
        Assert.Equal(TaskRunStatus.Skipped, r.Task("merge")!.Status);
        Assert.False(File.Exists(_w.P("merged.txt")));
        Assert.Equal(0, _w.ReportRuns);
        // One grouped line names the failed producer for the units it blocked.
        Assert.Contains("1 upper unit not run: source/c2 failed: boom in c2", _w.LastOutput);
        Assert.NotNull(BuildState.IncompleteReason(_w.StateDirectory));
    }

    [Fact]
    public async Task AfterTheFailureIsFixedOnlyTheFailedChainBuilds()
    {
        _w.FailIn["c2"] = 0;
        await _w.Build("--keep-going");
        _w.FailIn.Clear();
        var r = await _w.Build();
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["c2"], _w.RanIn("source"));
        Assert.Equal(["c2"], _w.RanIn("upper"));
        Assert.Equal(["all"], _w.RanIn("merge"));
        Assert.Null(BuildState.IncompleteReason(_w.StateDirectory));
    }

    [Fact]
    public async Task UnitThatThrowsAfterWritingATempLeavesNoOutputNoStampNoTemp()
    {
        _w.ThrowAfterTemp["c1"] = 0;
        var r = await _w.Build();
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("disk full while writing c1", r.Failures.Single().Message);
        Assert.False(File.Exists(_w.P("a", "c1.txt")));
        Assert.False(File.Exists(_w.StampPath("source", "c1")));
        Assert.Empty(Directory.EnumerateFiles(_w.P("a"), "*.tmp*"));
        Assert.True(File.Exists(_w.P("a", "c3.txt")));
    }

    [Fact]
    public async Task FailedRebuildKeepsTheUnitOutOfDate()
    {
        Assert.Equal(0, (await _w.Build()).ExitCode);
        _w.Config["prefix"] = "q-";
        _w.ThrowAfterTemp["c1"] = 0;
        var r = await _w.Build();
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("p-text of c1", _w.Read("a", "c1.txt")); // old output untouched: the temp was discarded
        _w.ThrowAfterTemp.Clear();
        await _w.Build();
        Assert.Equal(["c1"], _w.RanIn("source")); // c2 and c3 were rebuilt by the failed run already
        Assert.Equal("q-text of c1", _w.Read("a", "c1.txt"));
    }

    [Fact]
    public async Task LeftoverTempFromAKilledBuildIsCleanedAndNeverCountsAsOutput()
    {
        Directory.CreateDirectory(_w.P("a"));
        string leftover = _w.P("a", ".c1.0badf00d.tmp.txt");
        File.WriteAllText(leftover, "half written");
        var r = await _w.Build();
        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(leftover));
        Assert.Equal("p-text of c1", _w.Read("a", "c1.txt"));
    }

    [Fact]
    public async Task OutputWithoutStampIsRebuilt()
    {
        // What kill -9 between rename and stamp leaves: outputs in place, no stamp.
        await _w.Build();
        File.Delete(_w.StampPath("source", "c3"));
        await _w.Build();
        Assert.Equal(["c3"], _w.RanIn("source"));
    }

    [Fact]
    public async Task TornStampIsTreatedAsMissing()
    {
        await _w.Build();
        File.WriteAllText(_w.StampPath("upper", "c1"), "{\"format\": 1, \"task\": \"upp");
        var r = await _w.Build();
        Assert.Equal(["c1"], _w.RanIn("upper"));
        Assert.Equal(ReasonKind.New, r.Task("upper")!.Unit("c1")!.Reasons.Single().Kind);
    }

    [Fact]
    public async Task MissingInputFailsTheUnitWithTheFileName()
    {
        _w.Chips = ["c1", "c2", "c3", "c9"];
        var r = await _w.Build("--keep-going");
        Assert.Equal(1, r.ExitCode);
        var failure = Assert.Single(r.Failures);
        Assert.Equal("c9", failure.UnitId);
        Assert.Equal("input file not found: " + _w.P("in", "c9.txt"), failure.Message);
        Assert.DoesNotContain("c9", _w.RanIn("source"));
        Assert.Equal(UnitStatus.Skipped, r.Task("upper")!.Unit("c9")!.Status);
    }

    [Fact]
    public async Task CorruptHashCacheIsIgnored()
    {
        await _w.Build();
        File.WriteAllText(Path.Combine(_w.StateDirectory, "hashes.bin"), "garbage");
        var r = await _w.Build();
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(_w.Runs);
    }
}
