using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Issue 11.1: a build killed with SIGKILL (the real host as a child process) and rerun ends with the same
/// dataset.manifest.json bytes as the uninterrupted reference build in the same data folder, and no stamp ever
/// vouches for a half-written file. Kill points are chosen by the line the host prints (deterministic stage) plus a
/// random delay (seeded; set RELIABILITY_SEED to replay a failure).
/// </summary>
public abstract class CrashResumeBase(ReliabilityFixture fixture, ITestOutputHelper log)
{
    protected readonly ReliabilityFixture f = fixture;
    protected readonly ITestOutputHelper output = log;

    protected static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    protected Random Seeded(out int seed)
    {
        seed = int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"RELIABILITY_SEED={seed}");
        return new Random(seed);
    }

    protected static bool Progress(string line, string task) =>
        Regex.IsMatch(line, $@"^{Regex.Escape(task)}: \d+/\d+ units \(", RegexOptions.CultureInvariant);

    protected static readonly string[] Stages = ["download", "reproject", "chips", "filter", "split", "stats", "report", "export", "manifest"];

    /// <summary>
    /// The chosen line of <paramref name="stage"/>, or any line of a later stage: the previous kill lands a random time
    /// after its own line and may already have finished this stage, whose line then never comes.
    /// </summary>
    protected static Func<string, bool> AtOrAfter(string stage, Func<string, bool> precise) => line =>
    {
        if (precise(line)) return true;
        var colon = line.IndexOf(':');
        return colon > 0 && Array.IndexOf(Stages, line[..colon]) > Array.IndexOf(Stages, stage);
    };

    protected Task KillAndAuditAsync(KillPlan kill, int seed, params string[] extra) => KillAtStageAndAuditAsync(kill, seed, null, extra);

    /// <param name="stage">The stage the kill aims at. A short stage can be over before the kill arrives (the previous
    /// kill landed after it, or it ran in less time than the host's output takes to reach the test): such a point is
    /// said in the output and returns false instead of failing; the caller bounds how many may miss.</param>
    /// <returns>Whether the build was killed.</returns>
    protected async Task<bool> KillAtStageAndAuditAsync(KillPlan kill, int seed, string? stage, params string[] extra)
    {
        var run = await f.RunAsync(kill, extra);
        output.WriteLine($"{kill.Name}: killed={run.Killed} exit={run.ExitCode} after {run.Elapsed.TotalSeconds:0.0} s ({run.KilledAfter})");
        // Exit 0 means the build finished, whether the kill was never sent or was sent as the process was exiting.
        bool missed = stage is not null && run.ExitCode == 0;
        if (missed) output.WriteLine($"  {stage} was over before the kill arrived: nothing to interrupt");
        else Assert.True(run.Killed && run.ExitCode != 0, $"kill point '{kill.Name}' (seed {seed}) was not reached before the build ended: {run}");
        var audit = StampAudit.Check(f.Dataset, f.ReferenceFiles);
        output.WriteLine($"  stamps: {audit.Stamps}, outputs re-hashed: {audit.OutputsChecked}");
        Assert.True(audit.Violations.Count == 0,
            $"after the kill at '{kill.Name}' (seed {seed}):\n  " + string.Join("\n  ", audit.Violations));
        return !missed;
    }

    protected async Task FinishAndCompareAsync(string context)
    {
        var final = await f.RunAsync();
        Assert.True(final.ExitCode == 0, $"{context}: the resumed build failed: {final}");
        f.AssertManifestIsReference(context);
        var verify = await f.RunAsync("--target=verify");
        Assert.True(verify.ExitCode == 0, $"{context}: verify: {verify}");
        var noop = await f.RunAsync();
        Assert.True(noop.ExitCode == 0 && noop.Output.Contains("Everything is up to date.", StringComparison.Ordinal),
            $"{context}: a third run should be a no-op: {noop}");
    }

    protected static byte[] Half(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[..(bytes.Length / 2)];
    }

    protected static string Plant(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Brings the fixture's folder back to the complete reference dataset (a no-op when it already is).</summary>
    protected async Task EnsureReferenceStateAsync()
    {
        var run = await f.RunAsync();
        Assert.True(run.ExitCode == 0, "could not restore the reference dataset: " + run);
        f.AssertManifestIsReference("restoring the reference dataset before the test");
    }
}

/// <summary>A fresh build killed across its stages (the sample generated again, the dataset from nothing).</summary>
[Collection(ReliabilityCollection.Name)]
public class CrashResumeTests(ReliabilityFixture fixture, ITestOutputHelper log) : CrashResumeBase(fixture, log)
{
    [Fact]
    public async Task A_fresh_build_killed_at_eight_points_across_the_stages_resumes_to_the_uninterrupted_manifest()
    {
        var rng = Seeded(out int seed);
        f.ResetDataset(keepSampleInputs: false);
        KillPlan[] points =
        [
            // sample-data generates for ~15 s, into a temp folder it swaps in at the end.
            KillPlan.OnLine("sample-data generating", l => l.StartsWith("sample-data: 1 of 1 units to build", StringComparison.Ordinal), Ms(rng.Next(1500, 6000))),
            KillPlan.OnLine("download in progress", AtOrAfter("download", l => Progress(l, "download")), Ms(rng.Next(0, 100))),
            KillPlan.OnLine("reproject in progress", AtOrAfter("reproject", l => Progress(l, "reproject")), Ms(rng.Next(0, 3000))),
            KillPlan.OnLine("chips writing", AtOrAfter("chips", l => l.StartsWith("chips: ", StringComparison.Ordinal) && l.Contains("units to build", StringComparison.Ordinal)), Ms(rng.Next(0, 500))),
            KillPlan.OnLine("filter/split/stats", AtOrAfter("filter", l => l.StartsWith("filter: ", StringComparison.Ordinal) && l.Contains("units to build", StringComparison.Ordinal)), Ms(rng.Next(0, 400))),
            KillPlan.OnLine("report quicklooks", AtOrAfter("report", l => l.StartsWith("report: ", StringComparison.Ordinal) && l.Contains("units to build", StringComparison.Ordinal)), Ms(rng.Next(0, 300))),
            // The export hard-links its chip files in ~30 ms: the kill lands within that window of the export's first line.
            KillPlan.OnLine("export linking", AtOrAfter("export", l => l.StartsWith("export: ", StringComparison.Ordinal) && l.Contains("units to build", StringComparison.Ordinal)), Ms(rng.Next(0, 15))),
            KillPlan.OnLine("manifest hashing", l => l.StartsWith("manifest: running", StringComparison.Ordinal), Ms(rng.Next(0, 60))),
        ];
        int killed = 0;
        foreach (var kill in points)
        {
            // The manifest answers unchanged files from the hash cache, and the build could end inside the report, export
            // and manifest kill windows; without the cache it reads every file again, as a first build does.
            if (Array.IndexOf(points, kill) >= points.Length - 3) File.Delete(Path.Combine(f.Dataset, ".build", "hashes.bin"));
            // Each point names its stage first ("chips writing"). The long stages are always interrupted; a short one
            // (filter, export: tens of milliseconds) may be over first.
            if (await KillAtStageAndAuditAsync(kill, seed, kill.Name.Split(' ', '/')[0])) killed++;
        }
        Assert.True(killed >= points.Length - 2, $"only {killed} of {points.Length} kill points interrupted the build (seed {seed})");
        await FinishAndCompareAsync($"fresh build killed at {points.Length} points (seed {seed})");
        // The run killed while generating left its temp folder; the rerun that generated the sample removed it.
        Assert.Empty(f.SampleTempFolders());
    }
}

/// <summary>Forced rebuilds killed, and the leftovers of write windows too narrow to hit with a kill: a collection (and a
/// reference folder) of their own, so they run beside the fresh-build crash test.</summary>
[Collection(ForcedCrashCollection.Name)]
public class ForcedCrashResumeTests(ReliabilityFixture fixture, ITestOutputHelper log) : CrashResumeBase(fixture, log)
{
    [Fact]
    public async Task Forced_rebuilds_killed_at_random_moments_resume_to_the_uninterrupted_manifest()
    {
        var rng = Seeded(out int seed);
        await EnsureReferenceStateAsync();
        // Forced units rewrite every output through temps while the old stamps and outputs still stand: a kill
        // there leaves temps beside outputs that are still up to date. The moment is a random forced stage plus a
        // random delay after its first line (a delay measured from the start of the run missed the end of a fast run).
        const string force = "--force=download,reproject,chips,filter,split,stats,report,export";
        string[] stages = ["download", "reproject", "chips", "filter", "report"];
        for (int i = 0; i < 2; i++)
        {
            var stage = stages[rng.Next(stages.Length)];
            int delay = rng.Next(0, 400);
            await KillAndAuditAsync(KillPlan.OnLine($"forced {stage}, {delay} ms after its start",
                AtOrAfter(stage, l => l.StartsWith(stage + ": ", StringComparison.Ordinal) && l.Contains("units to build", StringComparison.Ordinal)),
                Ms(delay)), seed, force);
        }
        await FinishAndCompareAsync($"forced rebuilds killed at random moments (seed {seed})");
    }

    /// <summary>
    /// The write windows too narrow to hit with a timed kill, reproduced by leaving exactly what a kill inside them
    /// leaves: engine temps beside up-to-date outputs (a warped chip, a record of IPFS leaves read), GDAL's ".partial"
    /// beside such a temp, the ".tmp" of a gathered table, of the report and of the manifest, a stamp temp, and an
    /// output torn after its old stamp was deleted.
    /// </summary>
    [Fact]
    public async Task Leftovers_of_every_write_window_are_never_taken_for_outputs()
    {
        await EnsureReferenceStateAsync();
        var d = f.Dataset;
        // download.mode ranges (the sample's default): a reproject unit's record of the IPFS leaves it read.
        string ranges = Directory.GetDirectories(Path.Combine(d, ".build", "work", "ranges")).Order(StringComparer.Ordinal).First();
        string rowRecord = Directory.GetFiles(ranges, "B02.row*.json").Order(StringComparer.Ordinal).First();
        var planted = new List<string>
        {
            Plant(Path.Combine(d, "chips", ".chip_202_336_merged.0badc0de.tmp.tif"), Half(Path.Combine(d, "chips", "chip_202_336_merged.tif"))),
            Plant(Path.Combine(ranges, $".{Path.GetFileNameWithoutExtension(rowRecord)}.0badc0de.tmp.json"), Half(rowRecord)),
            Plant(Path.Combine(d, "chips_fmask", ".chip_202_336_Fmask.0badc0de.tmp.tif.4242-17.partial"), Half(Path.Combine(d, "chips_fmask", "chip_202_336_Fmask.tif"))),
            Plant(Path.Combine(d, "track_chips.csv.tmp"), Half(Path.Combine(d, "track_chips.csv"))),
            Plant(Path.Combine(d, "report", "index.html.tmp"), Half(Path.Combine(d, "report", "index.html"))),
            Plant(Path.Combine(d, "export", "huggingface", "training_chips", ".chip_202_336_merged.0badc0de.tmp.tif"), [1, 2, 3]),
            Plant(Path.Combine(d, "dataset.manifest.json.tmp"), Half(Path.Combine(d, "dataset.manifest.json"))),
            Plant(Path.Combine(d, ".build", "stamps", "chips", "chip_202_336.json.0badc0de.tmp"), [(byte)'{']),
        };
        // Between "old stamp deleted" and "temps renamed": no stamp, the old (here: torn) output in place. A report
        // unit, so that nothing rebuilds in chips/, tiles/ or export/ (where the engine would sweep its own temps).
        var torn = Path.Combine(d, "report", "chips", "chip_203_335.png");
        File.Delete(Path.Combine(d, ".build", "stamps", "report", "chip_203_335.json"));
        File.WriteAllBytes(torn, Half(torn));

        var run = await f.RunAsync();
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var p in planted) Assert.False(File.Exists(p), $"leftover {Path.GetRelativePath(d, p)} is still there after the rerun");
        f.AssertManifestIsReference("after planting crash leftovers");
        var verify = await f.RunAsync("--target=verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
