using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CropData.Cluster.Tests;

/// <summary>
/// Issue 20: jobs/slurm/submit.sh on a real one-node Slurm, on the multi-tile sample (config/sample-tiles.yaml: 3 tiles,
/// so each of 3 shards builds one): the array and the merge (afterok) run, and the merged dataset equals an unsharded
/// build byte for byte; a rerun index builds nothing; a shard cancelled mid-run and resubmitted leaves the merge identical.
/// See docs/SCALE-OUT.md "Slurm".
/// </summary>
public class SlurmShardedBuildTests(ITestOutputHelper output)
{
    private const string Config = "config/sample-tiles.yaml", Dataset = "training_datasets/sample_tiles";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);
    private static readonly string Repo = RepoRoot();

    [SlurmFact]
    public async Task Submit_sh_shards_and_merge_equal_the_unsharded_build_and_survive_a_rerun_and_a_cancelled_shard()
    {
        await using var cluster = await SlurmCluster.StartAsync(output);
        var work = Path.Combine(Path.GetTempPath(), "cropdata-slurm-work-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var env = new Dictionary<string, string>(cluster.Environment) { ["CROPDATA_WORK"] = work, ["CROPDATA_CONFIG"] = Config };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var reference = await UnshardedReferenceAsync(work);
            // Every shard would generate the same sample inputs first (a few seconds each): start them with the reference's.
            for (int i = 0; i < 3; i++) await SeedSampleInputsAsync(reference, Path.Combine(work, $"shard-{i}"));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] unsharded reference built");

            // The user's command, with the overrides a one-node partition of 2 CPUs needs.
            string[] options = ["3", "--partition=ci", "--shard-cpus=1", "--shard-mem=500M", "--shard-time=00:10:00", "--merge-cpus=2", "--merge-mem=500M", "--merge-time=00:10:00"];
            var submitted = await Commands.OkAsync(Path.Combine(Repo, "jobs", "slurm", "submit.sh"), options, Repo, env, TimeSpan.FromMinutes(10));
            var m = Regex.Match(submitted, @"shards: job (\d+) \(array 0-2.*merge: job (\d+)");
            Assert.True(m.Success, "submit.sh did not print the two job ids:\n" + submitted);
            var (array, merge) = (m.Groups[1].Value, m.Groups[2].Value);
            var mergeJob = await cluster.RunAsync("scontrol", "show", "job", "-o", merge);
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] submit.sh: array job {array} (--array=0-2), merge job {merge} " +
                             $"with Dependency={SlurmCluster.Field(mergeJob, "Dependency")}");
            Assert.StartsWith($"afterok:{array}", SlurmCluster.Field(mergeJob, "Dependency"));

            var shards = await cluster.WaitAsync(array, JobTimeout);
            Assert.True(shards.Count == 3 && shards.Values.All(s => s == "COMPLETED"), "shards: " + Show(shards) + Logs(work));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] array {array} done: {Show(shards)}");
            var merged = await cluster.WaitAsync(merge, JobTimeout);
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] merge {merge} done: {Show(merged)}");
            Assert.True(merged.Values.Single() == "COMPLETED", "merge: " + Show(merged) + Logs(work));
            for (int i = 0; i < 3; i++)
                Assert.Matches(@"(?m)^chips\s+built\s+[1-9]", Log(work, $"shard-{i}.out")); // every shard built chips of its tile
            AssertIdentical(reference, Path.Combine(work, "merged", Dataset), "merge of the array");

            // Rerunning one index (the command submit.sh prints) finds every unit of that shard up to date.
            var rerun = await ShardAsync(cluster, env, 0, work, "rerun-0.out");
            Assert.Equal("COMPLETED", (await cluster.WaitAsync(rerun, JobTimeout)).Values.Single());
            var rerunLog = Log(work, "rerun-0.out");
            Assert.DoesNotMatch(@"(?m)^\S+\s+built\s", rerunLog);
            Assert.Contains("Everything is up to date.", rerunLog);
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] rerun of index 0 (job {rerun}): nothing rebuilt");

            // Shard 1 starts over and is cancelled mid-run, then resubmitted: it resumes, and the merge is still identical.
            Directory.Delete(Path.Combine(work, "shard-1", Dataset), recursive: true);
            await SeedSampleInputsAsync(reference, Path.Combine(work, "shard-1"));
            var killed = await ShardAsync(cluster, env, 1, work, "killed-1.out");
            await WaitForLogAsync(work, "killed-1.out", "reproject:");
            await cluster.RunAsync("scancel", killed);
            var killedState = (await cluster.WaitAsync(killed, JobTimeout)).Values.Single();
            Assert.Equal("CANCELLED", killedState);
            Assert.DoesNotContain("Build succeeded", Log(work, "killed-1.out"));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] shard index 1 (job {killed}) cancelled mid-run: {killedState}");
            var resumed = await ShardAsync(cluster, env, 1, work, "resumed-1.out");
            Assert.Equal("COMPLETED", (await cluster.WaitAsync(resumed, JobTimeout)).Values.Single());
            var remerge = await cluster.SbatchAsync(Repo, env, "--chdir=" + Repo, "--export=ALL,CROPDATA_CONFIG,CROPDATA_WORK", "--partition=ci",
                "--cpus-per-task=2", "--mem=500M", $"--output={work}/logs/remerge.out", "jobs/slurm/cropdata-merge.sbatch");
            Assert.True((await cluster.WaitAsync(remerge, JobTimeout)).Values.Single() == "COMPLETED", Logs(work));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:0.0} s] index 1 resubmitted (job {resumed}) and merged again (job {remerge})");
            AssertIdentical(reference, Path.Combine(work, "merged", Dataset), "merge after the cancelled shard was resubmitted");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The unsharded build the merge must equal: made in the merge's own data folder with the merge job's config (the
    /// manifest embeds the config, data_dir included) and the same --config-name, then moved aside so the merge finds an
    /// empty folder as on a real cluster. Returns its dataset folder.
    /// </summary>
    private async Task<string> UnshardedReferenceAsync(string work)
    {
        var merged = Path.Combine(work, "merged");
        Directory.CreateDirectory(merged);
        var config = await Commands.OkAsync(Path.Combine(Repo, "jobs", "shard-config.sh"), [Config, merged], Repo);
        File.WriteAllText(Path.Combine(merged, "config.yaml"), config);
        await Commands.OkAsync(Path.Combine(Repo, "build.sh"), [$"--config={merged}/config.yaml", $"--config-name={Config}", "--jobs=2"], Repo,
            timeout: TimeSpan.FromMinutes(10));
        var reference = Path.Combine(work, "reference");
        Directory.Move(merged, reference);
        return Path.Combine(reference, Dataset);
    }

    /// <summary>
    /// The reference's generated sample inputs and sample-data's stamp in a shard's data folder (cp -a keeps the mtimes the
    /// stamp trusts; the stamp names the folder as ${data_dir}/sample_inputs, so it holds there).
    /// </summary>
    private static async Task SeedSampleInputsAsync(string referenceDataset, string dataDir)
    {
        var stamps = Path.Combine(dataDir, Dataset, ".build", "stamps");
        Directory.CreateDirectory(stamps);
        await Commands.OkAsync("cp", ["-a", Path.Combine(referenceDataset, "..", "..", "sample_inputs"), dataDir]);
        await Commands.OkAsync("cp", ["-a", Path.Combine(referenceDataset, ".build", "stamps", "sample-data"), stamps]);
    }

    private static Task<string> ShardAsync(SlurmCluster cluster, Dictionary<string, string> env, int index, string work, string log) =>
        cluster.SbatchAsync(Repo, env, "--chdir=" + Repo, "--export=ALL,CROPDATA_CONFIG,CROPDATA_WORK,CROPDATA_SHARDS=3", "--partition=ci",
            "--cpus-per-task=1", "--mem=500M", $"--array={index}", $"--output={work}/logs/{log}", "jobs/slurm/cropdata-shard.sbatch");

    private void AssertIdentical(string expectedDataset, string actualDataset, string what)
    {
        var expected = Files(expectedDataset);
        var actual = Files(actualDataset);
        Assert.Equal(expected.Keys, actual.Keys);
        var differ = expected.Keys.Where(k => expected[k] != actual[k]).ToList();
        Assert.True(differ.Count == 0, $"{what}: {differ.Count} file(s) differ from the unsharded build: {string.Join(", ", differ.Take(20))}");
        foreach (var key in new[] { "dataset.manifest.json", "track_chips.csv", "global_stats.yaml", "report/index.html" }) Assert.Contains(key, expected.Keys);
        Assert.Equal(6, expected.Keys.Count(k => k.StartsWith("chips/", StringComparison.Ordinal) && k.EndsWith("_merged.tif", StringComparison.Ordinal)));
        output.WriteLine($"byte comparison ({what}): {actual.Count} files of {actualDataset} identical to the unsharded build " +
                         $"(dataset.manifest.json sha256 {expected["dataset.manifest.json"][..16]} = {actual["dataset.manifest.json"][..16]}; chips, tables, report included)");
    }

    /// <summary>sha256 of every file of a dataset folder outside its engine state (.build/), by relative path.</summary>
    private static SortedDictionary<string, string> Files(string dataset)
    {
        Assert.True(Directory.Exists(dataset), $"{dataset} does not exist");
        return new(Directory.EnumerateFiles(dataset, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(dataset, f).Replace('\\', '/'))
            .Where(p => !p.StartsWith(".build/", StringComparison.Ordinal))
            .ToDictionary(p => p, p => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dataset, p))))), StringComparer.Ordinal);
    }

    private static async Task WaitForLogAsync(string work, string log, string text)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Log(work, log).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < JobTimeout, $"{log} never showed '{text}':\n{Log(work, log)}");
            await Task.Delay(50);
        }
    }

    private static string Log(string work, string name)
    {
        var path = Path.Combine(work, "logs", name);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static string Logs(string work) =>
        string.Concat(Directory.EnumerateFiles(Path.Combine(work, "logs")).Order(StringComparer.Ordinal)
            .Select(f => $"\n--- {Path.GetFileName(f)}\n" + string.Join("\n", File.ReadAllLines(f).TakeLast(25))));

    private static string Show(IReadOnlyDictionary<string, string> states) => string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"));

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "CropData.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
