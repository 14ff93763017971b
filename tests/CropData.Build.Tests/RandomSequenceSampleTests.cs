using System.Security.Cryptography;
using CropData.Build.Tests.Reliability;
using CropData.Dataset.Finishing;
using Xunit.Abstractions;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 14's randomized sequence on the real pipeline: seeded random config edits (a chip in or out of the AOI, the
/// filter threshold, the split seed), deleted and corrupted outputs, and builds killed with SIGKILL at a random moment.
/// After every step whose build completes, the dataset equals a clean build of the same config file for file and
/// verify passes. (The engine-level sequence of 50 steps per seed: CropData.Graph.Tests.RandomSequenceTests.)
/// </summary>
public class RandomSequenceSampleTests(ITestOutputHelper output)
{
    private sealed record State(bool DropChip, bool LooseFilter, string SplitSeed)
    {
        public string Apply(string config)
        {
            if (DropChip) config = config.Replace("chip_203_336, ", "", StringComparison.Ordinal);
            if (LooseFilter) config += "\nfilter:\n  max_bad_pct: 25\n";
            if (SplitSeed != "42") config += $"\nsplit:\n  seed: \"{SplitSeed}\"\n";
            return config;
        }
    }

    // The files of the dataset; the manifest and the report embed the config's path, which differs between folders.
    private static SortedDictionary<string, string> Files(string dataset) =>
        new(Directory.EnumerateFiles(dataset, "*", SearchOption.AllDirectories)
            .Select(f => (Rel: Path.GetRelativePath(dataset, f).Replace('\\', '/'), Full: f))
            .Where(x => !x.Rel.StartsWith(".build/", StringComparison.Ordinal) && x.Rel is not (DatasetManifest.FileName or "report/index.html"))
            .ToDictionary(x => x.Rel, x => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(x.Full)))), StringComparer.Ordinal);

    [Fact]
    public async Task Random_edits_deletions_corruptions_and_kills_each_end_in_the_clean_build_of_their_config()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CROPDATA_TEST_SEED"), out var s) ? s : 20221207;
        var rng = new Random(seed);
        output.WriteLine($"seed {seed} (set CROPDATA_TEST_SEED to replay another)");
        var references = new Dictionary<State, SortedDictionary<string, string>>();
        async Task<SortedDictionary<string, string>> Clean(State state)
        {
            if (references.TryGetValue(state, out var known)) return known;
            using var fresh = await SampleBuild.WithInputsAsync();
            fresh.WriteConfig(edit: state.Apply);
            await fresh.BuildOkAsync();
            return references[state] = Files(fresh.Dataset);
        }

        using var b = await SampleBuild.BuiltAsync();
        var state = new State(false, false, "42");
        // The run's one clean build from nothing is the clean build of the unedited config.
        references[state] = Files(Path.Combine(await SampleBuild.TemplateDataDir(), "training_datasets", "sample"));
        int completed = 0;
        for (int step = 0; step < 12; step++)
        {
            string what;
            bool kill = false;
            var files = Files(b.Dataset).Keys.ToList();
            switch (rng.Next(6))
            {
                case 0: state = state with { DropChip = !state.DropChip }; what = $"chip_203_336 {(state.DropChip ? "out of" : "back in")} the AOI"; break;
                case 1: state = state with { LooseFilter = !state.LooseFilter }; what = $"filter.max_bad_pct {(state.LooseFilter ? 25 : 5)}"; break;
                case 2: state = state with { SplitSeed = state.SplitSeed == "42" ? "7" : "42" }; what = $"split.seed {state.SplitSeed}"; break;
                case 3:
                {
                    var f = files[rng.Next(files.Count)];
                    File.Delete(Path.Combine(b.Dataset, f));
                    what = "deleted " + f;
                    break;
                }
                case 4:
                {
                    var f = Path.Combine(b.Dataset, files[rng.Next(files.Count)]);
                    var bytes = File.ReadAllBytes(f);
                    if (bytes.Length > 0) bytes[rng.Next(bytes.Length)] ^= 0x55;
                    File.WriteAllBytes(f, bytes); // a new mtime: the hash cache sees it
                    what = "corrupted " + Path.GetRelativePath(b.Dataset, f);
                    break;
                }
                default:
                    state = state with { SplitSeed = state.SplitSeed == "42" ? "7" : "42", DropChip = !state.DropChip };
                    kill = true;
                    what = $"killed while building seed {state.SplitSeed}, chip_203_336 {(state.DropChip ? "out" : "in")}";
                    break;
            }
            b.WriteConfig(edit: state.Apply);
            if (kill)
            {
                var run = await HostProcess.RunAsync([$"--config={b.ConfigPath}", $"--root={b.Root}", "--jobs=2"],
                    KillPlan.After("random moment", TimeSpan.FromMilliseconds(rng.Next(300, 2500))), workingDirectory: b.Root);
                output.WriteLine($"step {step}: {what} -> exit {run.ExitCode}{(run.Killed ? " (killed)" : "")}");
                if (run.Killed) continue;
            }
            var (r, log) = await b.RunAsync();
            output.WriteLine($"step {step}: {what} -> exit {r.ExitCode}");
            Assert.True(r.ExitCode == 0, $"step {step} ({what}):\n{log}");
            completed++;
            var expected = await Clean(state);
            var actual = Files(b.Dataset);
            var differ = expected.Keys.Union(actual.Keys).Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k)).Take(10).ToList();
            Assert.True(differ.Count == 0, $"step {step} ({what}): differs from a clean build of the same config: {string.Join(", ", differ)}");
            var (v, vlog) = await b.RunAsync("--target=verify");
            Assert.True(v.ExitCode == 0, $"step {step} ({what}): verify failed:\n{vlog}");
        }
        output.WriteLine($"{completed} of 12 steps completed, {references.Count} clean reference builds");
        Assert.True(completed >= 6);
    }
}
