namespace CropData.Graph.Tests;

public sealed class DryRunTests : IDisposable
{
    private readonly World _w = new();

    public DryRunTests()
    {
        _w.Chips = ["c1", "c2", "c3"];
        foreach (var c in _w.Chips) _w.WriteInput(c, "text of " + c);
        _w.Config["prefix"] = "p-";
    }

    public void Dispose() => _w.Dispose();

    private string[] Lines() => _w.LastOutput.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task DryRunOnAFreshFolderListsNewUnitsAndWritesNothing()
    {
        var r = await _w.Build("--dryrun");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([
            "Dry run of target 'Default': nothing is executed.",
            "source: 3 of 3 units would build, 0 up to date",
            "    3 new",
            "upper: 3 of 3 units would build, 0 up to date",
            "    3 new",
            "    3 may rebuild (early cutoff decides), input will be rebuilt: a/c1.txt, a/c2.txt, a/c3.txt",
            "merge: 1 of 1 units would build, 0 up to date",
            "    1 new",
            "    1 may rebuild (early cutoff decides), input will be rebuilt: b/c1.txt, b/c2.txt, b/c3.txt",
            "report: would run (plain task)",
        ], Lines());
        Assert.Empty(_w.Runs);
        Assert.Equal(0, _w.ReportRuns);
        Assert.False(Directory.Exists(_w.StateDirectory)); // no lock, no stamps, no hash cache
        Assert.False(Directory.Exists(_w.P("a")));
    }

    [Fact]
    public async Task DryRunNamesTheChangedFileConfigKeyAndMissingOutput()
    {
        await _w.Build();
        _w.WriteInput("c2", "changed");
        File.Delete(_w.P("b", "c3.txt"));
        var before = _w.Snapshot();
        var r = await _w.Build("--dryrun");
        Assert.Equal([
            "Dry run of target 'Default': nothing is executed.",
            "source: 1 of 3 units would build, 2 up to date",
            "    1 input changed: in/c2.txt",
            "upper: 1 of 3 units would build, 1 may rebuild (early cutoff decides), 1 up to date",
            "    1 may rebuild (early cutoff decides), input will be rebuilt: a/c2.txt",
            "    1 output missing: b/c3.txt",
            "merge: 0 of 1 units would build, 1 may rebuild (early cutoff decides), 0 up to date",
            "    1 may rebuild (early cutoff decides), input will be rebuilt: b/c2.txt, b/c3.txt",
            "report: would run (plain task)",
        ], Lines());
        Assert.Equal(before, _w.Snapshot());
        Assert.Equal(UnitStatus.WouldBuild, r.Task("upper")!.Unit("c3")!.Status);

        _w.Config["prefix"] = "q-";
        _w.Config["case"] = "lower";
        await _w.Build("--dryrun", "--target=upper", "--verbosity=verbose");
        Assert.Equal([
            "Dry run of target 'upper': nothing is executed.",
            "source: 3 of 3 units would build, 0 up to date",
            "    3 config key changed: prefix: p- → q-",
            "    1 input changed: in/c2.txt",
            "      c1: config key changed: prefix: p- → q-",
            "      c2: config key changed: prefix: p- → q-; input changed: in/c2.txt",
            "      c3: config key changed: prefix: p- → q-",
            "upper: 3 of 3 units would build, 0 up to date",
            "    3 config key changed: case: (unset) → lower",
            "    3 may rebuild (early cutoff decides), input will be rebuilt: a/c1.txt, a/c2.txt, a/c3.txt",
            "      c1: config key changed: case: (unset) → lower; may rebuild (early cutoff decides), input will be rebuilt: a/c1.txt",
            "      c2: config key changed: case: (unset) → lower; may rebuild (early cutoff decides), input will be rebuilt: a/c2.txt",
            "      c3: config key changed: case: (unset) → lower; may rebuild (early cutoff decides), input will be rebuilt: a/c3.txt",
        ], Lines());
    }

    [Fact]
    public async Task DryRunShowsVersionForcedAndStaleUnits()
    {
        await _w.Build();
        Ambient.SourceVersion.Value = "2";
        _w.Chips = ["c1", "c2"];
        await _w.Build("--dryrun", "--target=source");
        Assert.Equal([
            "Dry run of target 'source': nothing is executed.",
            "source: 2 of 2 units would build, 0 up to date",
            "    2 task version changed: 1 -> 2",
            "    1 stale unit(s) would be removed",
        ], Lines());
        Assert.True(File.Exists(_w.P("a", "c3.txt")));

        Ambient.SourceVersion.Value = null;
        await _w.Build("--dryrun", "--target=source", "--force=source");
        Assert.Contains("    2 forced", Lines());
    }

    [Fact]
    public async Task DryRunSaysWhenUnitsAreUnknownUntilUpstreamRuns()
    {
        var r = await _w.BuildWith(o => new DiscoverContext(o, _w), ["--dryrun"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([
            "Dry run of target 'Default': nothing is executed.",
            "list: 1 of 1 units would build, 0 up to date",
            "    1 new",
            "items: units unknown until upstream tasks run",
        ], Lines());
        Assert.Equal(TaskRunStatus.Unknown, r.Task("items")!.Status);

        r = await _w.BuildWith(o => new DiscoverContext(o, _w), []);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["x", "y"], _w.RanIn("items"));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(_w.StateDirectory, "stamps", "items")).Count());
        r = await _w.BuildWith(o => new DiscoverContext(o, _w), []);
        Assert.Empty(_w.Runs);
        Assert.True(r.EverythingUpToDate);
    }
}
