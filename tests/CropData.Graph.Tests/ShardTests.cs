namespace CropData.Graph.Tests;

public sealed class ShardTests : IDisposable
{
    private readonly World _w = new();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void StableHashIsFixedAcrossProcessesAndPlatforms()
    {
        // First 8 bytes of SHA-256("chip_184_236"), big-endian; a changed value would reshuffle running array jobs.
        Assert.Equal(Convert.ToUInt64(System.Security.Cryptography.SHA256.HashData("chip_184_236"u8)[..8].Aggregate("", (s, b) => s + b.ToString("x2")), 16),
            ShardSpec.StableHash("chip_184_236"));
        Assert.Equal(0xb0250ceaa3bc39b7UL, ShardSpec.StableHash("chip_000_000"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void ShardsPartitionTheKeys(int n)
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"chip_{i / 40:000}_{i % 40:000}").ToList();
        var shards = Enumerable.Range(1, n).Select(k => keys.Where(new ShardSpec(k, n).Contains).ToHashSet()).ToList();
        Assert.Equal(keys.Count, shards.Sum(s => s.Count)); // disjoint
        Assert.True(shards.Aggregate(new HashSet<string>(), (u, s) => { u.UnionWith(s); return u; }).SetEquals(keys)); // complete
        Assert.All(shards, s => Assert.InRange(s.Count, 1000 / n / 2, 1000 / n * 2));
    }

    [Fact]
    public void AutoShardReadsSlurmThenJobCompletionIndex()
    {
        Assert.Equal(new ShardSpec(2, 4), BuildOptions.Parse(["--shard=auto/4"], v => v == "SLURM_ARRAY_TASK_ID" ? "1" : "3").Shard);
        Assert.Equal(new ShardSpec(4, 4), BuildOptions.Parse(["--shard=auto/4"], v => v == "JOB_COMPLETION_INDEX" ? "3" : null).Shard);
        Assert.Equal(new ShardSpec(3, 5), BuildOptions.Parse(["--shard=3/5"], _ => null).Shard);
        Assert.Contains("outside 0..3", Assert.Throws<BuildUsageException>(() => BuildOptions.Parse(["--shard=auto/4"], _ => "4")).Message);
        Assert.Throws<BuildUsageException>(() => BuildOptions.Parse(["--shard=auto/4"], _ => null));
        Assert.Throws<BuildUsageException>(() => BuildOptions.Parse(["--shard=0/4"], _ => null));
        Assert.Throws<BuildUsageException>(() => BuildOptions.Parse(["--shard=5/4"], _ => null));
    }

    [Fact]
    public async Task ShardRunsBuildDisjointCompletePartsAndSkipAggregates()
    {
        _w.Chips = Enumerable.Range(0, 12).Select(i => $"c{i:00}").ToList();
        foreach (var c in _w.Chips) _w.WriteInput(c, c);
        var built = new List<string>();
        for (int k = 1; k <= 3; k++)
        {
            var r = await _w.Build($"--shard={k}/3");
            Assert.True(r.ExitCode == 0, _w.LastOutput);
            Assert.Equal(TaskRunStatus.Skipped, r.Task("merge")!.Status);
            Assert.Equal("aggregate task, not run inside a shard", r.Task("merge")!.Note);
            Assert.Equal(_w.RanIn("source"), _w.RanIn("upper"));
            Assert.All(_w.RanIn("source"), c => Assert.True(new ShardSpec(k, 3).Contains(c)));
            built.AddRange(_w.RanIn("source"));
        }
        Assert.Equal(_w.Chips, built.Order(StringComparer.Ordinal)); // each unit exactly once over the shards
        Assert.All(_w.Chips, c => Assert.True(File.Exists(_w.StampPath("source", c)))); // no shard removed another's units

        var full = await _w.Build();
        Assert.Empty(_w.RanIn("source"));
        Assert.Empty(_w.RanIn("upper"));
        Assert.Equal(["all"], _w.RanIn("merge"));
        Assert.Equal(12, full.Task("upper")!.UpToDate);
    }
}
