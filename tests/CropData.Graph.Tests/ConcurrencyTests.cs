namespace CropData.Graph.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly World _w = new();

    public void Dispose() => _w.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task UnitsRunInParallelUpToJobs(int jobs)
    {
        ParContext? ctx = null;
        var r = await _w.BuildWith(o => ctx = new ParContext(o, _w) { Expected = jobs }, [$"--jobs={jobs}"]);
        Assert.True(r.ExitCode == 0, _w.LastOutput);
        Assert.Equal(8, r.Task("par")!.Built);
        Assert.Equal(jobs, ctx!.Max);
    }

    [Fact]
    public async Task TaskLimitOverridesJobs()
    {
        ParContext? ctx = null;
        var r = await _w.BuildWith(o => ctx = new ParContext(o, _w) { Expected = 2, TaskLimit = 2 }, ["--jobs=6"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(2, ctx!.Max);
    }

    [Fact]
    public async Task SecondBuildOnTheSameFolderIsRefusedWithThePid()
    {
        var gate = (Entered: new ManualResetEventSlim(), Release: new ManualResetEventSlim());
        LockContext.Gates[_w.Root] = gate;
        var output = new StringWriter();
        var first = Task.Run(() => BuildHost.RunAsync(["--target=hold"], o => new LockContext(o, _w),
            new BuildHostSettings { Output = TextWriter.Synchronized(output), Interactive = false }, typeof(World).Assembly));
        try
        {
            Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(30)), output.ToString());

            _w.Chips = ["c1"];
            _w.WriteInput("c1", "x");
            var second = await _w.Build();
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"another build (pid {Environment.ProcessId}) is running on {_w.Root}", _w.LastOutput);
            Assert.Empty(_w.Runs);

            var shard = await _w.Build("--shard=1/2");
            Assert.Equal(1, shard.ExitCode);
            Assert.Contains($"another build (pid {Environment.ProcessId}) is running on {_w.Root}", _w.LastOutput);

            var dry = await _w.Build("--dryrun"); // looking is allowed while a build runs
            Assert.Equal(0, dry.ExitCode);
        }
        finally
        {
            gate.Release.Set();
        }
        Assert.Equal(0, await first);
        Assert.Equal(0, (await _w.Build()).ExitCode); // released with the first build
    }

    [Fact]
    public async Task FullBuildIsRefusedWhileAShardRuns()
    {
        var gate = (Entered: new ManualResetEventSlim(), Release: new ManualResetEventSlim());
        LockContext.Gates[_w.Root] = gate;
        var first = Task.Run(() => BuildHost.RunAsync(["--target=hold", "--shard=2/4"], o => new LockContext(o, _w),
            new BuildHostSettings { Output = TextWriter.Null, Interactive = false }, typeof(World).Assembly));
        try
        {
            Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(30)));
            _w.Chips = [];
            Assert.Equal(1, (await _w.Build()).ExitCode);
            Assert.Contains($"a sharded build (pid {Environment.ProcessId}) is running on {_w.Root}", _w.LastOutput);
            Assert.Equal(0, (await _w.Build("--shard=1/4")).ExitCode); // other shards run side by side
        }
        finally
        {
            gate.Release.Set();
        }
        Assert.Equal(0, await first);
    }
}
