using CropData.Build.Tests.Reliability;
using CropData.Ipfs.Multiformats;

namespace CropData.Build.Tests.Ranges;

/// <summary>
/// A download.mode ranges build SIGKILLed while stage 8 fetches blocks (issue 17): every file under a block's name in
/// the cache hashes to that name (nothing partial), the rerun sweeps the killed writer's temps, finishes, and gives
/// the whole-mode build's chips.
/// </summary>
public sealed class RangesKillTests
{
    [Fact]
    public async Task A_ranges_build_killed_in_stage_8_leaves_only_whole_verified_blocks_in_the_cache()
    {
        using var b = await SampleBuild.WithInputsAsync("download:\n  mode: ranges");
        var run = await HostProcess.RunAsync([$"--config={b.ConfigPath}", $"--root={b.Root}"],
            KillPlan.OnLine("reproject fetching", l => l.StartsWith("reproject: ", StringComparison.Ordinal), TimeSpan.FromMilliseconds(400)));
        Assert.True(run.Killed && run.ExitCode != 0, $"the build ended before the kill: {run}");

        var cache = Path.Combine(b.DataDir, "cache", "blocks");
        var blocks = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        Assert.NotEmpty(blocks);
        foreach (var f in blocks)
        {
            // The name is the block's multihash in base32: re-hash the bytes against it.
            var multihash = Multibase.DecodeBase32(Path.GetFileName(f));
            var cid = Cid.FromBytes([0x01, 0x55, .. multihash]);
            Assert.True(cid.Matches(File.ReadAllBytes(f)), $"{f}: a cached block that does not hash to its name");
        }

        var (result, log) = await b.RunAsync();
        Assert.True(result.ExitCode == 0, log);
        Assert.Empty(Directory.EnumerateFiles(cache, ".*.tmp", SearchOption.AllDirectories));
        var whole = Path.Combine(await SampleBuild.TemplateDataDir(), "training_datasets", "sample", "chips");
        foreach (var f in Directory.GetFiles(whole))
            Assert.True(File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Dataset, "chips", Path.GetFileName(f)))),
                $"chips/{Path.GetFileName(f)} differs from the whole-mode build");
    }
}
