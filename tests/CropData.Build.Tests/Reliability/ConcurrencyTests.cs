using Xunit.Abstractions;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Issue 11.5: the number of parallel units never changes a byte of the dataset (the reference was built with
/// --jobs=2; here --jobs=8 and --jobs=1 must give the same manifest bytes), and one dataset folder takes one build at
/// a time: a second build refuses with the engine's lock message naming the running build's pid and the folder, and
/// the first build is not disturbed.
/// </summary>
[Collection(ConcurrencyCollection.Name)]
public class ConcurrencyTests(ReliabilityFixture f, ITestOutputHelper output)
{
    private string LockMessage(int pid) => $"another build (pid {pid}) is running on {f.Dataset}";

    [Fact]
    public async Task A_second_build_started_during_a_jobs_8_build_refuses_and_the_first_completes_with_the_reference_manifest()
    {
        f.ResetDataset(keepSampleInputs: true);
        int firstPid = 0;
        var midway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = f.RunAsync(p => firstPid = p.Id, line =>
        {
            if (line.StartsWith("reproject: ", StringComparison.Ordinal)) midway.TrySetResult();
        }, "--jobs=8");
        if (await Task.WhenAny(midway.Task, first) != midway.Task)
            Assert.Fail("the first build ended before reaching reproject: " + await first);

        var second = await f.RunAsync();
        output.WriteLine($"second build: exit {second.ExitCode} in {second.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains(LockMessage(firstPid), second.Output);
        Assert.DoesNotContain("units to build", second.Output); // it ran no task, wrote nothing

        var done = await first;
        output.WriteLine($"first build (--jobs=8): exit {done.ExitCode} in {done.Elapsed.TotalSeconds:0.0} s");
        Assert.True(done.ExitCode == 0, done.ToString());
        f.AssertManifestIsReference("--jobs=8 build that a second build tried to join");
        var verify = await f.RunAsync("--target=verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(StampAudit.Check(f.Dataset, f.ReferenceFiles).Violations.Count == 0);
    }

    [Fact]
    public async Task Two_jobs_1_builds_started_at_the_same_moment_one_builds_the_reference_and_the_other_refuses()
    {
        f.ResetDataset(keepSampleInputs: true);
        int pidA = 0, pidB = 0;
        var a = f.RunAsync(p => pidA = p.Id, _ => { }, "--jobs=1");
        var b = f.RunAsync(p => pidB = p.Id, _ => { }, "--jobs=1");
        var runs = await Task.WhenAll(a, b);
        output.WriteLine($"A: exit {runs[0].ExitCode} in {runs[0].Elapsed.TotalSeconds:0.0} s; B: exit {runs[1].ExitCode} in {runs[1].Elapsed.TotalSeconds:0.0} s");
        Assert.True(runs.Count(r => r.ExitCode == 0) == 1 && runs.Count(r => r.ExitCode == 1) == 1,
            $"expected one build and one refusal:\nA: {runs[0]}\nB: {runs[1]}");
        var (winner, loser, winnerPid) = runs[0].ExitCode == 0 ? (runs[0], runs[1], pidA) : (runs[1], runs[0], pidB);
        Assert.Contains(LockMessage(winnerPid), loser.Output);
        Assert.DoesNotContain("units to build", loser.Output);
        Assert.Contains("Build succeeded.", winner.Output);
        f.AssertManifestIsReference("--jobs=1 build");
        var verify = await f.RunAsync("--target=verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
