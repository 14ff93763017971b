namespace CropData.Graph.Tests;

/// <summary>
/// The engine owns every file a build writes: gather outputs are recorded, outputs a unit stops declaring and
/// stray files are told apart, forced units and --repair trust bytes, leftovers of killed runs are swept.
/// </summary>
public sealed class OwnershipTests : IDisposable
{
    private readonly World _w = new();

    public OwnershipTests()
    {
        _w.Chips = ["c1", "c2", "c3"];
        foreach (var c in _w.Chips) _w.WriteInput(c, "text of " + c);
        _w.Config["prefix"] = "p-";
    }

    public void Dispose() => _w.Dispose();

    private async Task<BuildResult> BuildOk(params string[] args)
    {
        var r = await _w.Build(args);
        Assert.True(r.ExitCode == 0, _w.LastOutput);
        return r;
    }

    private IReadOnlySet<string> Owned() => BuildState.OwnedFiles(_w.StateDirectory);

    [Fact]
    public async Task GatherOutputsAreOwnedAndAFileTheGatherNoLongerWritesIsDeleted()
    {
        _w.GatherExtra = true;
        await BuildOk();
        Assert.Contains(_w.P("gathered", "source.txt"), Owned());
        Assert.Contains(_w.P("gathered", "extra.txt"), Owned());
        Assert.Equal("c1\nc2\nc3\n", _w.Read("gathered", "source.txt"));

        var mtime = File.GetLastWriteTimeUtc(_w.P("gathered", "source.txt"));
        _w.GatherExtra = false;
        await BuildOk();
        Assert.False(File.Exists(_w.P("gathered", "extra.txt")));
        Assert.DoesNotContain(_w.P("gathered", "extra.txt"), Owned());
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(_w.P("gathered", "source.txt"))); // same bytes: untouched
    }

    [Fact]
    public async Task GatherDoesNotRunInsideAShard()
    {
        await BuildOk("--shard=1/2");
        Assert.Empty(_w.Gathers);
        Assert.False(File.Exists(_w.P("gathered", "source.txt")));
    }

    [Fact]
    public async Task RemovedUnitsLoseTheirFilesAndAStrayFileIsOwnedByNobody()
    {
        await BuildOk();
        File.WriteAllText(_w.P("a", "stray.txt"), "x");
        _w.Chips = ["c1", "c3"];
        await BuildOk();
        Assert.False(File.Exists(_w.P("a", "c2.txt")));
        Assert.False(File.Exists(_w.P("b", "c2.txt")));
        var owned = Owned();
        Assert.DoesNotContain(_w.P("a", "stray.txt"), owned);
        Assert.DoesNotContain(_w.P("a", "c2.txt"), owned);
        Assert.Contains(_w.P("b", "c3.txt"), owned);
        Assert.Contains(_w.P("merged.txt"), owned);
    }

    [Fact]
    public async Task ForceRebuildsFromBytesWhenACorruptionKeepsSizeAndMtime()
    {
        await BuildOk();
        string b1 = _w.P("b", "c1.txt");
        string good = File.ReadAllText(b1);
        var mtime = File.GetLastWriteTimeUtc(b1);
        File.WriteAllText(b1, good.ToLowerInvariant()); // same length, other bytes
        File.SetLastWriteTimeUtc(b1, mtime);

        await BuildOk(); // size + mtime unchanged: the cache cannot see it (why --force and --repair exist)
        await BuildOk("--force=upper");
        Assert.Equal(good, File.ReadAllText(b1));
    }

    [Fact]
    public async Task RepairRebuildsExactlyTheUnitWhoseOutputBytesDiffer()
    {
        await BuildOk();
        string b2 = _w.P("b", "c2.txt");
        string good = File.ReadAllText(b2);
        var mtime = File.GetLastWriteTimeUtc(b2);
        File.WriteAllText(b2, good.ToLowerInvariant());
        File.SetLastWriteTimeUtc(b2, mtime);

        var r = await BuildOk("--repair");
        Assert.Equal(good, File.ReadAllText(b2));
        Assert.Equal(["c2"], _w.RanIn("upper"));
        Assert.Empty(_w.RanIn("source"));
        Assert.Empty(_w.RanIn("merge")); // rebuilt bytes equal the stamped ones: early cutoff
        Assert.Equal(UnitStatus.Built, r.Task("upper")!.Unit("c2")!.Status);
    }

    [Fact]
    public async Task LeftoversOfAKilledRunAreSweptWhicheverTargetRuns()
    {
        await BuildOk();
        string[] leftovers =
        [
            _w.P("b", ".c1.12345-0a1b2c3d.tmp.txt"),   // an engine temp
            _w.P("b", ".c2.0a1b2c3d.tmp.txt"),         // an engine temp of an earlier version
            _w.P("b", "c3.txt.4242-7.partial"),        // GDAL's
            Path.Combine(_w.StateDirectory, "hashes.bin.999.tmp"),
        ];
        foreach (var f in leftovers) File.WriteAllText(f, "half");
        await BuildOk("--target=source", "--exclusive");
        foreach (var f in leftovers) Assert.False(File.Exists(f), f);
    }

    [Fact]
    public async Task ABuildOfPartOfTheGraphLeavesTheDatasetMarkedUntilAWholeBuildFinishes()
    {
        await BuildOk();
        Assert.Null(BuildState.IncompleteReason(_w.StateDirectory));
        await BuildOk("--target=upper");
        Assert.Contains("only part of the graph", BuildState.IncompleteReason(_w.StateDirectory));
        await BuildOk();
        Assert.Null(BuildState.IncompleteReason(_w.StateDirectory));
    }
}
