using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CropData.Dataset.Finishing;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// The reliability tests over a reference build's data folder run one after another within a collection; each of the
/// three collections (fresh-build crash, forced-rebuild crash, concurrency) has its own fixture and folder, so they run
/// beside each other. Those with folders of their own are in <see cref="InputsCollection"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityFixture>
{
    public const string Name = "Reliability";
}

/// <summary>The forced-rebuild crash tests, over a reference folder of their own (each collection gets its own fixture).</summary>
[CollectionDefinition(Name)]
public sealed class ForcedCrashCollection : ICollectionFixture<ReliabilityFixture>
{
    public const string Name = "Reliability (forced rebuilds)";
}

/// <summary>The concurrency tests, over a reference folder of their own.</summary>
[CollectionDefinition(Name)]
public sealed class ConcurrencyCollection : ICollectionFixture<ReliabilityFixture>
{
    public const string Name = "Reliability (concurrency)";
}

/// <summary>
/// One uninterrupted build of the embedded sample in a temp data folder — the shared clean build of the test run,
/// copied here and settled by the real host (child process, --jobs=2), which gives the bytes of a clean build in this
/// folder (IncrementalSampleTests.Two_clean_builds_give_identical_manifests) without building twice: its
/// dataset.manifest.json bytes and the SHA-256 of every file it left (including .build/work) are the reference the
/// crash, resume and concurrency tests compare against (the crash tests rebuild from nothing and must reach them). The manifest embeds the config, which names data_dir, so
/// those tests build in this same folder.
/// </summary>
public sealed class ReliabilityFixture : IAsyncLifetime
{
    public string Root { get; } = SampleBuild.RepoRoot();
    public string Sandbox { get; } = Path.Combine(Path.GetTempPath(), "cropdata-rel-" + Guid.NewGuid().ToString("N")[..10]);
    public string DataDir => Path.Combine(Sandbox, "data");
    public string ConfigPath => Path.Combine(Sandbox, "config.yaml");
    public string Dataset => Path.Combine(DataDir, "training_datasets", "sample");
    public string SampleInputs => Path.Combine(DataDir, "sample_inputs");

    public byte[] ReferenceManifest { get; private set; } = [];
    /// <summary>Relative path ('/') → SHA-256 of every file of the reference dataset folder, .build/work included (stamps and caches not).</summary>
    public IReadOnlyDictionary<string, string> ReferenceFiles { get; private set; } = new Dictionary<string, string>();
    public HostRun ReferenceRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Sandbox);
        await SampleBuild.CopyTemplateAsync(DataDir);
        File.WriteAllText(ConfigPath, File.ReadAllText(Path.Combine(Root, "config", "config.yaml"))
            .Replace("data_dir: datasets", $"data_dir: {DataDir}", StringComparison.Ordinal));
        ReferenceRun = await RunAsync();
        if (ReferenceRun.ExitCode != 0) throw new InvalidOperationException("reference build failed: " + ReferenceRun);
        ReferenceManifest = File.ReadAllBytes(Path.Combine(Dataset, DatasetManifest.FileName));
        ReferenceFiles = Snapshot(Dataset);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Sandbox, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    public IEnumerable<string> Args(params string[] extra)
    {
        var args = new List<string> { $"--config={ConfigPath}", $"--root={Root}" };
        if (!extra.Any(a => a.StartsWith("--jobs=", StringComparison.Ordinal))) args.Add("--jobs=2");
        args.AddRange(extra);
        return args;
    }

    public Task<HostRun> RunAsync(params string[] extra) => HostProcess.RunAsync(Args(extra), workingDirectory: Root);

    public Task<HostRun> RunAsync(KillPlan kill, params string[] extra) => HostProcess.RunAsync(Args(extra), kill, workingDirectory: Root);

    public Task<HostRun> RunAsync(Action<Process> started, Action<string> onLine, params string[] extra) =>
        HostProcess.RunAsync(Args(extra), started: started, onLine: onLine, workingDirectory: Root);

    /// <summary>
    /// Deletes the dataset folder. With <paramref name="keepSampleInputs"/> the sample-data task's stamp (and index) is
    /// kept with the generated inputs, so the next build finds them up to date instead of generating them again.
    /// </summary>
    public void ResetDataset(bool keepSampleInputs)
    {
        if (!keepSampleInputs)
        {
            DeleteIfExists(Dataset);
            DeleteIfExists(SampleInputs);
            foreach (var d in SampleTempFolders()) DeleteIfExists(d);
            return;
        }
        var stamps = Path.Combine(Dataset, ".build", "stamps");
        var keepDir = Path.Combine(stamps, "sample-data");
        var keepIndex = Path.Combine(stamps, "sample-data.index");
        var hold = Path.Combine(Sandbox, "held-stamps");
        DeleteIfExists(hold);
        Directory.CreateDirectory(hold);
        if (Directory.Exists(keepDir)) Directory.Move(keepDir, Path.Combine(hold, "sample-data"));
        if (File.Exists(keepIndex)) File.Move(keepIndex, Path.Combine(hold, "sample-data.index"));
        DeleteIfExists(Dataset);
        Directory.CreateDirectory(stamps);
        if (Directory.Exists(Path.Combine(hold, "sample-data"))) Directory.Move(Path.Combine(hold, "sample-data"), keepDir);
        if (File.Exists(Path.Combine(hold, "sample-data.index"))) File.Move(Path.Combine(hold, "sample-data.index"), keepIndex);
        DeleteIfExists(hold);
    }

    /// <summary>The manifest of the dataset folder as it is now (fails if there is none).</summary>
    public byte[] CurrentManifest() => File.ReadAllBytes(Path.Combine(Dataset, DatasetManifest.FileName));

    /// <summary>Asserts the current manifest has the reference bytes, naming the first differing files if not.</summary>
    public void AssertManifestIsReference(string context)
    {
        var now = CurrentManifest();
        if (now.AsSpan().SequenceEqual(ReferenceManifest)) return;
        var refFiles = FilesOf(ReferenceManifest);
        var nowFiles = FilesOf(now);
        var diff = refFiles.Keys.Union(nowFiles.Keys).Order(StringComparer.Ordinal)
            .Where(k => refFiles.GetValueOrDefault(k) != nowFiles.GetValueOrDefault(k))
            .Select(k => $"{k}: reference {refFiles.GetValueOrDefault(k)?[..12] ?? "absent"}, now {nowFiles.GetValueOrDefault(k)?[..12] ?? "absent"}")
            .Take(20).ToList();
        Assert.Fail($"{context}: dataset.manifest.json differs from the uninterrupted build's" +
                    (diff.Count > 0 ? ":\n  " + string.Join("\n  ", diff) : " (same files, different config or inputs)"));
    }

    public static Dictionary<string, string> FilesOf(byte[] manifest)
    {
        var files = (JsonNode.Parse(manifest)!["files"] as JsonArray)!;
        return files.OfType<JsonObject>().ToDictionary(f => (string)f["path"]!, f => (string)f["sha256"]!, StringComparer.Ordinal);
    }

    /// <summary>SHA-256 of every file under <paramref name="folder"/> by '/'-separated relative path, except the engine's stamps, caches and lock.</summary>
    public static Dictionary<string, string> Snapshot(string folder)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (rel.StartsWith(".build/stamps/", StringComparison.Ordinal) || rel.StartsWith(".build/build.", StringComparison.Ordinal)
                || rel == ".build/hashes.bin") continue;
            result[rel] = Sha256(file);
        }
        return result;
    }

    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>Temp folders of sample-data writes (engine temps beside sample_inputs/, and the names of earlier versions).</summary>
    public IEnumerable<string> SampleTempFolders() =>
        Directory.EnumerateDirectories(DataDir, ".sample_inputs.*.tmp").Concat(Directory.EnumerateDirectories(DataDir, "sample_inputs.tmp-*"));

    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }

    public static void DeleteIfExists(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
