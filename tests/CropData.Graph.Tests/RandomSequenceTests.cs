using System.Security.Cryptography;
using Xunit.Abstractions;

namespace CropData.Graph.Tests;

/// <summary>
/// Issue 14's randomized sequence: 50 seeded steps of config edits, unit set changes, input edits, output deletions
/// and corruptions, cancelled runs and the leftovers of killed ones. After every step whose build completes, the
/// folder must be byte-identical to a clean build of the same state, every file in it owned, nothing marked unfinished.
/// (The same guarantees on the real pipeline with SIGKILL: CropData.Build.Tests, EngineOwnsDatasetTests and the crash tests.)
/// </summary>
public sealed class RandomSequenceTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Pool = ["c1", "c2", "c3", "c4", "c5", "c6"];
    private readonly World _w = new();

    public void Dispose() => _w.Dispose();

    private static SortedDictionary<string, string> Files(World w) =>
        new(Directory.EnumerateFiles(w.Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(w.StateDirectory, StringComparison.Ordinal) && !f.StartsWith(w.P("in"), StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(w.Root, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);

    private async Task<SortedDictionary<string, string>> CleanBuildOf(World state)
    {
        using var clean = new World { Chips = [.. state.Chips] };
        foreach (var (k, v) in state.Config) clean.Config[k] = v;
        foreach (var chip in Pool) clean.WriteInput(chip, state.Read("in", chip + ".txt"));
        var r = await clean.Build();
        Assert.True(r.ExitCode == 0, clean.LastOutput);
        return Files(clean);
    }

    [Theory]
    [InlineData(1401)]
    [InlineData(20221207)]
    public async Task Fifty_random_steps_each_end_in_the_clean_build_of_their_state(int seed)
    {
        var rng = new Random(seed);
        _w.Chips = ["c1", "c2", "c3"];
        foreach (var chip in Pool) _w.WriteInput(chip, "text of " + chip);
        _w.Config["prefix"] = "p-";
        _w.Config["case"] = "upper";
        _w.Config["comment"] = "0";
        Assert.Equal(0, (await _w.Build()).ExitCode);

        int completed = 0;
        for (int step = 0; step < 50; step++)
        {
            string[] args = [];
            CancellationToken cancel = default;
            using var cts = new CancellationTokenSource();
            var existing = Files(_w).Keys.Where(k => !k.StartsWith("gathered", StringComparison.Ordinal)).ToList();
            string what;
            switch (rng.Next(9))
            {
                case 0: _w.Config["prefix"] = rng.Next(2) == 0 ? "p-" : "q-"; what = "prefix " + _w.Config["prefix"]; break;
                case 1: _w.Config["case"] = rng.Next(2) == 0 ? "upper" : "lower"; what = "case " + _w.Config["case"]; break;
                case 2: _w.Config["comment"] = rng.Next(5).ToString(System.Globalization.CultureInfo.InvariantCulture); what = "comment (early cutoff)"; break;
                case 3:
                {
                    var chip = Pool[rng.Next(Pool.Length)];
                    if (_w.Chips.Contains(chip) && _w.Chips.Count > 1) _w.Chips = _w.Chips.Where(c => c != chip).ToList();
                    else if (!_w.Chips.Contains(chip)) _w.Chips = [.. _w.Chips, chip];
                    what = "units " + string.Join(",", _w.Chips);
                    break;
                }
                case 4:
                {
                    var chip = Pool[rng.Next(Pool.Length)];
                    _w.WriteInput(chip, "text of " + chip + " v" + rng.Next(3));
                    what = "input " + chip;
                    break;
                }
                case 5 when existing.Count > 0:
                {
                    var f = existing[rng.Next(existing.Count)];
                    File.Delete(_w.P(f));
                    what = "deleted " + f;
                    break;
                }
                case 6 when existing.Count > 0:
                {
                    // Changed bytes, same size and mtime: only bytes tell, so this step repairs.
                    var f = _w.P(existing[rng.Next(existing.Count)]);
                    var mtime = File.GetLastWriteTimeUtc(f);
                    var bytes = File.ReadAllBytes(f);
                    if (bytes.Length > 0) bytes[rng.Next(bytes.Length)] ^= 0x20;
                    File.WriteAllBytes(f, bytes);
                    File.SetLastWriteTimeUtc(f, mtime);
                    args = ["--repair"];
                    what = "corrupted (size and mtime kept) " + Path.GetRelativePath(_w.Root, f);
                    break;
                }
                case 7:
                {
                    // What a SIGKILL leaves: temps beside outputs, GDAL partials, a hash-cache temp, a stamp gone.
                    Directory.CreateDirectory(_w.P("b"));
                    File.WriteAllText(_w.P("b", ".c1.99999-0badc0de.tmp.txt"), "half");
                    File.WriteAllText(_w.P("a", "c2.txt.99999-1.partial"), "half");
                    File.WriteAllText(Path.Combine(_w.StateDirectory, "hashes.bin.99999.tmp"), "half");
                    var stamps = Directory.GetFiles(Path.Combine(_w.StateDirectory, "stamps"), "*.json", SearchOption.AllDirectories);
                    File.Delete(stamps[rng.Next(stamps.Length)]);
                    what = "leftovers of a killed run";
                    break;
                }
                default:
                {
                    // A run cancelled at a random moment (Ctrl+C); the step's change is a new prefix.
                    _w.Config["prefix"] = "k" + rng.Next(3) + "-";
                    cts.CancelAfter(rng.Next(0, 4));
                    cancel = cts.Token;
                    what = "cancelled run with prefix " + _w.Config["prefix"];
                    break;
                }
            }
            var r = await _w.BuildWith(o => new PipeContext(o, _w), args, cancel);
            output.WriteLine($"step {step}: {what} -> exit {r.ExitCode}");
            if (r.ExitCode != 0)
            {
                Assert.True(cancel.CanBeCanceled, $"step {step} ({what}) failed:\n{_w.LastOutput}");
                Assert.NotNull(BuildState.IncompleteReason(_w.StateDirectory));
                continue;
            }
            completed++;
            Assert.Null(BuildState.IncompleteReason(_w.StateDirectory));
            var files = Files(_w);
            Assert.Equal(await CleanBuildOf(_w), files);
            var owned = BuildState.OwnedFiles(_w.StateDirectory);
            Assert.All(files.Keys, f => Assert.Contains(_w.P(f), owned));
            Assert.DoesNotContain(Directory.EnumerateFiles(_w.Root, "*", SearchOption.AllDirectories), f => TempFiles.IsLeftover(Path.GetFileName(f)));
        }
        output.WriteLine($"{completed} of 50 steps completed (seed {seed})");
        Assert.True(completed >= 40);
    }
}
