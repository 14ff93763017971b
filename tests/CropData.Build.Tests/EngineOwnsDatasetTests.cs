using System.Security.Cryptography;
using CropData.Build.Tests.Reliability;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 14: the engine owns the dataset. Each numbered case of the issue, reproduced on the real pipeline and the
/// embedded sample: after any edit, failure or corruption the dataset is what the config asks for, or verify says it
/// is not.
/// </summary>
public class EngineOwnsDatasetTests
{
    /// <summary>Relative path → SHA-256 of every file of a folder (the build state aside).</summary>
    internal static SortedDictionary<string, string> Hashes(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.build{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);

    private static string WithoutChip(string config, string chip) => config.Replace(chip + ", ", "", StringComparison.Ordinal);

    internal static async Task VerifyAsync(SampleBuild b, bool ok, string? mentions = null)
    {
        var (r, log) = await b.RunAsync("--target=verify");
        Assert.True((r.ExitCode == 0) == ok, $"verify exit {r.ExitCode}, expected {(ok ? "success" : "failure")}:\n{log}");
        if (mentions is not null) Assert.Contains(mentions, log);
    }

    [Fact]
    public async Task Edits_strays_and_corruptions_never_leave_a_dataset_that_disagrees_with_its_config()
    {
        using var b = await SampleBuild.BuiltAsync();
        await b.BuildOkAsync(); // the copied sample, settled in its new place
        var clean = Hashes(b.Dataset);

        // Case 2: a stray file is not blessed. The build warns, the manifest leaves it out, verify names it, clean removes it.
        File.WriteAllText(b.File("chips/stray.txt"), "x\n");
        var (r, log) = await b.RunAsync();
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("chips/stray.txt", log);
        Assert.DoesNotContain(DatasetManifest.Read(b.File(DatasetManifest.FileName)).Files, f => f.Path == "chips/stray.txt");
        await VerifyAsync(b, ok: false, mentions: "extra: chips/stray.txt");
        var cleaned = await b.BuildOkAsync("--target=clean");
        Assert.False(File.Exists(b.File("chips/stray.txt")));
        await VerifyAsync(b, ok: true);
        Assert.Equal(clean, Hashes(b.Dataset));

        // Case 1a: a chip removed from the AOI leaves no file of it anywhere in the dataset, export included.
        const string removed = "chip_203_336";
        b.WriteConfig(edit: t => WithoutChip(t, removed));
        await b.BuildOkAsync();
        var left = Hashes(b.Dataset).Keys.Where(p => p.Contains(removed, StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 0, "files of the removed chip left: " + string.Join(", ", left));
        foreach (var list in new[] { "export/huggingface/training_data.txt", "export/huggingface/validation_data.txt", "train_ids.csv", "val_ids.csv" })
            Assert.DoesNotContain(removed, File.ReadAllText(b.File(list)));
        int listed = File.ReadAllLines(b.File("export/huggingface/training_data.txt")).Length;
        int held = Directory.GetFiles(b.File("export/huggingface/training_chips"), "*_merged.tif").Length;
        Assert.Equal(listed, held);
        await VerifyAsync(b, ok: true);
        b.WriteConfig();
        await b.BuildOkAsync();
        Assert.Equal(clean, Hashes(b.Dataset));

        // Case 1b: raising the filter threshold keeps chip_201_338; lowering it back restores the export byte for byte.
        b.WriteConfig("filter:\n  max_bad_pct: 25");
        await b.BuildOkAsync();
        Assert.Contains(Hashes(b.Dataset).Keys, p => p.StartsWith("export/", StringComparison.Ordinal) && p.Contains("chip_201_338", StringComparison.Ordinal));
        b.WriteConfig();
        await b.BuildOkAsync();
        Assert.Equal(clean, Hashes(b.Dataset));
        await VerifyAsync(b, ok: true);

        // Case 4: a corruption that keeps size and mtime is invisible to the hash cache; forced units rebuild from bytes
        // (--force=chips: forcing every stage, as Graph.Tests' ForceWithoutListRebuildsEverything does, would only rebuild
        // the rest of the sample as well).
        string chip = b.File("chips/chip_203_336_merged.tif");
        void Corrupt()
        {
            var bytes = File.ReadAllBytes(chip);
            var mtime = File.GetLastWriteTimeUtc(chip);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(chip, bytes);
            File.SetLastWriteTimeUtc(chip, mtime);
        }
        Corrupt();
        await b.BuildOkAsync("--force=chips");
        Assert.Equal(clean, Hashes(b.Dataset));

        // ... and verify --repair rebuilds exactly the unit whose output fails the byte check (its bytes come out
        // as before, so nothing downstream changes), then verifies.
        Corrupt();
        var (repaired, repairLog) = await b.RunAsync("--target=verify", "--repair");
        Assert.True(repaired.ExitCode == 0, repairLog);
        Assert.Equal([removed], repaired.Task("chips")!.UnitsWith(UnitStatus.Built).ToArray());
        Assert.Equal(0, repaired.Task("reproject")!.Built);
        Assert.Equal(clean, Hashes(b.Dataset));
    }

    [Fact]
    public async Task A_failed_build_runs_no_dependent_or_release_step_and_verify_refuses_the_dataset()
    {
        using var b = await SampleBuild.BuiltWholeAsync();
        await b.BuildOkAsync(); // the copied sample, settled in its new place
        var manifest = File.ReadAllBytes(b.File(DatasetManifest.FileName));
        var before = Hashes(b.Dataset);

        // Case 3: one downloaded band gone (from the band cache too) and the only IPFS source an empty CAR folder.
        const string scene = "HLS.S30.T14SPJ.2022179T170859.v2.0";
        File.Delete(b.File($"tiles/{scene}/{scene}.B04.tif"));
        Directory.Delete(Path.Combine(b.DataDir, "cache"), recursive: true);
        var empty = Directory.CreateDirectory(Path.Combine(b.DataDir, "no-cars")).FullName;
        b.WriteConfig(edit: t => t.Replace("${data_dir}/sample_inputs/ipfs", empty, StringComparison.Ordinal));
        var (r, log) = await b.RunAsync();

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(r.Failures, f => f.Task == "download" && f.UnitId == $"{scene}.B04");
        foreach (var task in new[] { "reproject", "chips", "filter", "split", "stats", "report", "export", "manifest" })
        {
            Assert.Equal(TaskRunStatus.Skipped, r.Task(task)!.Status);
            Assert.Contains("not run: download failed", r.Task(task)!.Note);
        }
        Assert.Equal(manifest, File.ReadAllBytes(b.File(DatasetManifest.FileName))); // not rewritten...
        await VerifyAsync(b, ok: false, mentions: "is not a finished dataset"); // ...and not trusted either

        // --keep-going runs the units that do not need the missing band; still nothing aggregate, still refused.
        var (k, klog) = await b.RunAsync("--keep-going");
        Assert.NotEqual(0, k.ExitCode);
        Assert.Contains("reproject units not run: download/" + scene + ".B04 failed", klog);
        Assert.Equal(0, k.Task("reproject")!.Failed);
        Assert.Equal(TaskRunStatus.Skipped, k.Task("split")!.Status);
        await VerifyAsync(b, ok: false, mentions: "is not a finished dataset");

        // Fixed: the next build finishes the job and the dataset is the one it was.
        b.WriteConfig();
        await b.BuildOkAsync();
        await VerifyAsync(b, ok: true);
        Assert.Equal(before, Hashes(b.Dataset));
    }

    [Fact]
    public async Task Band_files_fetched_once_come_from_the_cid_cache_without_any_source()
    {
        using var b = await SampleBuild.BuiltWholeAsync();
        await b.BuildOkAsync(); // the copied sample, settled in its new place
        var before = Hashes(b.Dataset);
        // Every band of one scene gone, and no IPFS source left that holds anything: the cache answers.
        const string scene = "HLS.S30.T14SPJ.2022259T170849.v2.0";
        Directory.Delete(b.File($"tiles/{scene}"), recursive: true);
        var empty = Directory.CreateDirectory(Path.Combine(b.DataDir, "no-cars")).FullName;
        b.WriteConfig(edit: t => t.Replace("${data_dir}/sample_inputs/ipfs", empty, StringComparison.Ordinal));
        var r = await b.BuildOkAsync();
        Assert.Equal(7, r.Task("download")!.Built);
        Assert.Equal(before.Where(kv => kv.Key != DatasetManifest.FileName), Hashes(b.Dataset).Where(kv => kv.Key != DatasetManifest.FileName));

        // A damaged cache entry is not served: it is dropped, and with no source the band fails, naming its CID.
        var b02 = Hashes(b.File($"tiles/{scene}"))[$"{scene}.B02.tif"];
        var entry = Directory.EnumerateFiles(Path.Combine(b.DataDir, "cache", "ipfs"))
            .Single(f => f.EndsWith(".sha256", StringComparison.Ordinal) && File.ReadAllText(f).Trim() == b02)[..^".sha256".Length];
        foreach (var tile in Directory.EnumerateFiles(b.File($"tiles/{scene}"))) File.Delete(tile);
        var bytes = File.ReadAllBytes(entry);
        File.Delete(entry); // break the hard link before damaging the copy
        bytes[100] ^= 1;
        File.WriteAllBytes(entry, bytes);
        // Its bytes are checked outside tiles/: no B02 file, not even a temp, appears there (inotify reports every creation;
        // the scene's other bands come from their good entries).
        var created = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var watch = new FileSystemWatcher(b.File("tiles")) { IncludeSubdirectories = true, EnableRaisingEvents = true })
        {
            watch.Created += (_, e) => created.Enqueue(e.Name ?? e.FullPath);
            watch.Renamed += (_, e) => created.Enqueue(e.Name ?? e.FullPath);
            var (failed, _) = await b.RunAsync();
            Assert.NotEqual(0, failed.ExitCode);
            Assert.False(File.Exists(entry));
            Assert.Single(failed.Failures, f => f.Task == "download");
            // Events arrive in order: once the sentinel's creation is reported, every earlier one has been.
            var sentinel = b.File("tiles/sentinel");
            File.WriteAllText(sentinel, "");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!created.Contains("sentinel") && DateTime.UtcNow < deadline) await Task.Delay(10);
            File.Delete(sentinel);
        }
        Assert.Contains("sentinel", created);
        Assert.DoesNotContain(created, name => name.Contains(".B02.", StringComparison.Ordinal));
    }
}
