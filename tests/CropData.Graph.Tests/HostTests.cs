namespace CropData.Graph.Tests;

public sealed class HostTests : IDisposable
{
    private readonly World _w = new();

    public HostTests()
    {
        _w.Chips = ["c1", "c2"];
        foreach (var c in _w.Chips) _w.WriteInput(c, c);
    }

    public void Dispose() => _w.Dispose();

    [Fact]
    public async Task UnknownTargetExitsTwoAndListsTheValidTargets()
    {
        var r = await _w.Build("--target=chipz");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown target 'chipz'", _w.LastOutput);
        Assert.Contains("Valid targets: Default, merge, report, source, upper", _w.LastOutput);
        Assert.False(Directory.Exists(_w.StateDirectory));
        r = await _w.Build("--target=uper");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown target 'uper'; did you mean upper?", _w.LastOutput);
    }

    [Theory]
    [InlineData("--dryrn", "unknown option '--dryrun'", "did you mean --dryrun")]
    [InlineData("--traget=source", "unknown option '--traget'", "did you mean --target")]
    [InlineData("--jsn", "unknown option '--jsn'", "did you mean --json")]
    [InlineData("stray-word", "", "")]
    public async Task UnknownOptionsAreUsageErrorsWithASuggestionAndNothingIsBuilt(string arg, string what, string hint)
    {
        var r = await _w.Build(arg);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(what.Replace("'--dryrun'", "'--dryrn'", StringComparison.Ordinal), _w.LastOutput);
        Assert.Contains(hint, _w.LastOutput);
        Assert.False(Directory.Exists(_w.StateDirectory));
        Assert.Empty(_w.Runs);
    }

    [Fact]
    public async Task AnOptionOfATaskIsAcceptedOnlyWhenThatTaskRuns()
    {
        Assert.Equal(0, (await _w.Build("--aoi=ks.geojson")).ExitCode); // declared by the context: any target
        var r = await _w.Build("--target=source", "--label=x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--label is read by target report, which 'source' does not run", _w.LastOutput);
        Assert.Equal(0, (await _w.Build("--label=x")).ExitCode);
    }

    [Fact]
    public async Task TargetNamesAreCaseInsensitive()
    {
        var r = await _w.Build("--target=UPPER");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["source", "upper"], r.Tasks.Select(t => t.Name));
    }

    [Fact]
    public async Task UnknownForcedTaskIsAUsageError()
    {
        var r = await _w.Build("--force=source,nope");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--force names unknown task(s) nope", _w.LastOutput);
    }

    [Fact]
    public async Task BadOptionIsAUsageError()
    {
        var r = await _w.Build("--jobs=many");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--jobs must be a whole number, not 'many'", _w.LastOutput);
        Assert.Contains("--help", _w.LastOutput);
    }

    [Fact]
    public async Task CycleExitsTwoAndNamesTheCycle()
    {
        var r = await _w.BuildWith(o => new CycleContext(o, _w), []);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("dependency cycle: cyc-a -> cyc-c -> cyc-b -> cyc-a", _w.LastOutput); // "a -> c": a depends on c
    }

    [Fact]
    public async Task TreeShowsTheDependencyGraphFromTheTarget()
    {
        var r = await _w.Build("--tree");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("""
            Default
            └── report
                └── merge
                    └── upper
                        └── source
            """.ReplaceLineEndings("\n"), _w.LastOutput.Trim().ReplaceLineEndings("\n"));
        Assert.Empty(_w.Runs);
    }

    [Fact]
    public async Task TreeOfADiamondExpandsEachTaskOnce()
    {
        await _w.BuildWith(o => new DiamondContext(o, _w), ["--tree", "--target=top"]);
        Assert.Equal("""
            top
            ├── left
            │   └── base
            └── right
                └── base
            """.ReplaceLineEndings("\n"), _w.LastOutput.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task DescriptionListsTasksSortedAndMarksTheDefault()
    {
        var r = await _w.Build("--description");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("""
            Tasks (* = default target):
            * Default  builds every task
              merge    Concatenate every chip
              report
                         --label=TEXT  an option only the report reads
              source   Prefix every input with the configured prefix
              upper    Change the case of every prefixed file
            """.ReplaceLineEndings("\n"), _w.LastOutput.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task IsDefaultTargetAttributeChoosesTheDefault()
    {
        var r = await _w.BuildWith(o => new DiamondContext(o, _w), []);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["base", "left"], r.Tasks.Select(t => t.Name)); // [IsDefaultTarget] on left
        await _w.BuildWith(o => new DiamondContext(o, _w), ["--description"]);
        Assert.Contains("* left", _w.LastOutput);
    }

    [Fact]
    public async Task DependenciesRunInDeclaredOrderEachOnce()
    {
        var r = await _w.BuildWith(o => new DiamondContext(o, _w), ["--target=top"]);
        Assert.Equal(["base", "left", "right", "top"], r.Tasks.Select(t => t.Name));
        // Plain tasks ran and no unit task was checked: the run must not claim everything was up to date.
        Assert.False(r.EverythingUpToDate);
        Assert.DoesNotContain("Everything is up to date", _w.LastOutput);
    }

    [Fact]
    public async Task ShouldRunFalseIsReportedSkippedAndDependantsStillRun()
    {
        var r = await _w.BuildWith(o => new GateContext(o, _w), ["--target=after-closed"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(TaskRunStatus.Skipped, r.Task("closed")!.Status);
        Assert.Equal(TaskRunStatus.Ran, r.Task("after-closed")!.Status);
        Assert.Equal("not needed for this build", r.Task("closed")!.Note);
        Assert.DoesNotContain("ShouldRun", _w.LastOutput); // no engine internals at normal verbosity
        Assert.DoesNotContain("gate/closed", _w.Runs);
        Assert.Contains("gate/after-closed", _w.Runs);
    }

    [Fact]
    public async Task FailedPlainTaskSkipsItsDependantsWithTheReason()
    {
        var r = await _w.BuildWith(o => new GateContext(o, _w), ["--target=after-broken"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(TaskRunStatus.Failed, r.Task("broken")!.Status);
        Assert.Equal(TaskRunStatus.Skipped, r.Task("after-broken")!.Status);
        Assert.StartsWith("not run: broken failed", r.Task("after-broken")!.Note);
        Assert.Contains(new UnitFailure("broken", null, "broken on purpose"), r.Failures);
        Assert.Contains("gate/broken OnError", _w.Runs);
        Assert.Contains("gate/broken Finally", _w.Runs);
    }

    [Fact]
    public async Task SummaryTableListsEveryTaskWithCounts()
    {
        await _w.Build();
        string[] lines = _w.LastOutput.ReplaceLineEndings("\n").Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("Task", StringComparison.Ordinal));
        Assert.True(header >= 0, _w.LastOutput);
        Assert.Matches(@"^Task\s+Status\s+Built\s+Up to date\s+Failed\s+Skipped\s+Time$", lines[header]);
        Assert.Matches(@"^source\s+built\s+2\s+0\s+0\s+0\s+\d+\.\d\d s$", lines[header + 2]);
        Assert.Matches(@"^report\s+ran\s+-\s+-\s+-\s+-\s+\d+\.\d\d s$", lines[header + 5]);
        Assert.Matches(@"^Total\s+5\s+0\s+0\s+0\s+\d+\.\d\d s$", lines[header + 7]);
    }

    [Fact]
    public async Task ContextFactoryFailureIsReported()
    {
        var r = await _w.BuildWith<PipeContext>(_ => throw new FileNotFoundException("config.yaml not found"), []);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: config.yaml not found", _w.LastOutput);
    }

    [Fact]
    public async Task ExtraArgumentsReachTheContext()
    {
        BuildOptions? seen = null;
        await _w.BuildWith(o => { seen = o; return new PipeContext(o, _w); }, ["--aoi=ks.geojson", "--jobs=3", "--verbosity=quiet"]);
        Assert.Equal("ks.geojson", seen!.Argument("AOI"));
        Assert.Equal(3, seen.Jobs);
        Assert.DoesNotContain("Task", _w.LastOutput); // quiet: no summary table
    }

    [Fact]
    public async Task CancelledBuildStopsStartingUnits()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = await _w.BuildWith(o => new PipeContext(o, _w), [], cts.Token);
        Assert.Equal(1, r.ExitCode);
        Assert.Empty(_w.Runs);
        Assert.Contains("Build cancelled.", _w.LastOutput);
    }
}
