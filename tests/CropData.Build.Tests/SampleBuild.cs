using System.Text;
using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tests;

/// <summary>Runs the real task host in-process on the embedded sample, in a temporary data folder.</summary>
public sealed class SampleBuild : IDisposable
{
    public string Root { get; } = RepoRoot();
    public string DataDir { get; }
    public string ConfigPath { get; }
    public string Dataset => Path.Combine(DataDir, "training_datasets", DatasetName);

    /// <summary>The config file under config/ this build starts from, and the train_dataset_name it sets.</summary>
    public string SourceConfig { get; }
    public string DatasetName { get; }

    public SampleBuild(string? configEdits = null, string sourceConfig = "config.yaml", string datasetName = "sample", bool whole = false)
    {
        SourceConfig = sourceConfig;
        DatasetName = datasetName;
        Whole = whole;
        DataDir = Path.Combine(Path.GetTempPath(), "cropdata-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(DataDir);
        ConfigPath = Path.Combine(DataDir, "config.yaml");
        WriteConfig(configEdits);
    }

    /// <summary>
    /// <c>download.mode: whole</c> in every config this build writes: band files downloaded to tiles/ (stage 7) instead of
    /// the default's verified range reads. For the tests of whole files (tiles/, the CID cache).
    /// </summary>
    public bool Whole { get; }

    /// <summary>The sample config with data_dir pointing here; <paramref name="extra"/> YAML is appended (later keys win? no: replaced sections).</summary>
    public void WriteConfig(string? extra = null, Func<string, string>? edit = null)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(System.IO.File.ReadAllText(Path.Combine(Root, "config", SourceConfig)),
            "^data_dir: .*$", $"data_dir: {DataDir}", System.Text.RegularExpressions.RegexOptions.Multiline);
        if (edit is not null) text = edit(text);
        if (extra is not null) text += "\n" + extra + "\n";
        if (Whole) text += "\ndownload:\n  mode: whole\n";
        System.IO.File.WriteAllText(ConfigPath, text);
    }

    /// <summary>
    /// A sample already built: a copy (mtimes kept) of one clean build made once per test process. Stamps name files of
    /// the data folder as <c>${data_dir}/…</c>, so the copy is up to date in its new place, as a user's moved data folder
    /// is; tests that start from a built sample save the ~20 s of a clean build each.
    /// </summary>
    public static async Task<SampleBuild> BuiltAsync()
    {
        var b = new SampleBuild();
        await CopyTemplateAsync(b.DataDir);
        b.WriteConfig();
        return b;
    }

    /// <summary>As <see cref="BuiltAsync"/>, in <c>download.mode: whole</c> (band files in tiles/): a copy of the run's one
    /// whole-mode build, made from the shared clean build's inputs.</summary>
    public static async Task<SampleBuild> BuiltWholeAsync()
    {
        var b = new SampleBuild(whole: true);
        await CopyAsync(await WholeTemplateDataDir() + "/.", b.DataDir);
        b.WriteConfig();
        return b;
    }

    /// <summary>The data folder of the run's one whole-mode build (read-only: copy it).</summary>
    internal static async Task<string> WholeTemplateDataDir() => (await WholeBuild.Value).DataDir;

    private static readonly Lazy<Task<SampleBuild>> WholeBuild = new(async () =>
    {
        string template = await TemplateDataDir();
        var t = new SampleBuild(whole: true);
        await t.CopyInputsAsync(template, Path.Combine(template, "training_datasets", "sample"));
        await t.BuildOkAsync();
        System.IO.File.Delete(t.ConfigPath);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => t.Dispose();
        return t;
    });

    /// <summary>
    /// A data folder holding only the generated sample inputs (and sample-data's stamp) of the shared clean build: the
    /// next build makes the dataset from scratch without generating the sample again.
    /// </summary>
    public static async Task<SampleBuild> WithInputsAsync(string? configEdits = null)
    {
        string template = await TemplateDataDir();
        var b = new SampleBuild(configEdits);
        await b.CopyInputsAsync(template, Path.Combine(template, "training_datasets", "sample"));
        return b;
    }

    /// <summary>Copies the generated sample inputs of <paramref name="dataDir"/> and the stamp of sample-data in <paramref name="dataset"/> here.</summary>
    internal async Task CopyInputsAsync(string dataDir, string dataset)
    {
        foreach (var (from, to) in new[]
                 {
                     (Path.Combine(dataDir, "sample_inputs"), Path.Combine(DataDir, "sample_inputs")),
                     (Path.Combine(dataset, ".build", "stamps", "sample-data"), Path.Combine(Dataset, ".build", "stamps", "sample-data")),
                 })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            await CopyAsync(from, to);
        }
    }

    /// <summary><c>cp -a</c>: mtimes kept, so the stamps of a copied build still hold.</summary>
    internal static async Task CopyAsync(string from, string to)
    {
        var cp = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cp", ["-a", from, to]))!;
        await cp.WaitForExitAsync();
        if (cp.ExitCode != 0) throw new InvalidOperationException($"cp -a {from} {to} failed");
    }

    /// <summary>The data folder of the shared clean build (read-only: copy it).</summary>
    internal static async Task<string> TemplateDataDir() => (await FirstBuild.Value).DataDir;

    /// <summary>Copies the shared clean build's data folder into <paramref name="dataDir"/> (mtimes kept, as <c>cp -a</c>).</summary>
    internal static async Task CopyTemplateAsync(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        await CopyAsync(await TemplateDataDir() + "/.", dataDir);
    }

    /// <summary>The run's one clean build of the sample from nothing (sample generation included) and its result.</summary>
    private static readonly Lazy<Task<(string DataDir, BuildResult Result)>> FirstBuild = new(async () =>
    {
        var t = new SampleBuild();
        var result = await t.BuildOkAsync();
        System.IO.File.Delete(t.ConfigPath);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => t.Dispose();
        return (t.DataDir, result);
    });

    /// <summary>The result of the run's clean build from nothing (what a first <c>./build.sh</c> reports).</summary>
    internal static async Task<BuildResult> FirstBuildResultAsync() => (await FirstBuild.Value).Result;

    public async Task<(BuildResult Result, string Log)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var all = args.Concat([$"--config={ConfigPath}", $"--root={Root}", "--jobs=2"]).ToArray();
        var result = await BuildHost.ExecuteAsync(all, o => new DatasetContext(o),
            new BuildHostSettings { Output = output, Interactive = false }, typeof(DatasetContext).Assembly);
        return (result, output.ToString());
    }

    public async Task<BuildResult> BuildOkAsync(params string[] args)
    {
        var (result, log) = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"build failed (exit {result.ExitCode}):\n{log}");
        return result;
    }

    public string File(string relative) => Path.Combine(Dataset, relative);

    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !System.IO.File.Exists(Path.Combine(d.FullName, "CropData.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public void Dispose()
    {
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// One sample build shared by the read-only tests of a class: the run's clean build from nothing (its result is
/// <see cref="First"/>), copied into a folder of this class and settled there.
/// </summary>
public sealed class BuiltSample : IAsyncLifetime
{
    public SampleBuild Build { get; private set; } = null!;
    public BuildResult First { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        First = await SampleBuild.FirstBuildResultAsync();
        Build = await SampleBuild.BuiltAsync();
        await Build.BuildOkAsync();
    }

    public Task DisposeAsync()
    {
        Build?.Dispose();
        return Task.CompletedTask;
    }
}
