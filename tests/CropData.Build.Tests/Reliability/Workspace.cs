using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// A test's own data folder (under the fixture's sandbox) with a config that reads the fixture's copy of the sample
/// inputs (<c>sample.enabled: false</c>, so nothing is generated). Runs the host as a child process or in-process.
/// </summary>
public sealed class Workspace
{
    public const string ChipIds =
        "[chip_201_335, chip_201_336, chip_201_337, chip_201_338, chip_202_335, chip_202_336, chip_202_337, chip_202_338, " +
        "chip_203_335, chip_203_336, chip_203_337, chip_203_338, chip_204_335, chip_204_336, chip_204_337, chip_204_338]";

    private readonly IWorkspaceSource _f;

    public Workspace(IWorkspaceSource f, string name)
    {
        _f = f;
        Folder = Path.Combine(f.Sandbox, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Folder);
        WriteConfig();
    }

    public string Folder { get; }
    public string DataDir => Path.Combine(Folder, "data");
    public string ConfigPath => Path.Combine(Folder, "config.yaml");
    public string Dataset => Path.Combine(DataDir, "training_datasets", "sample");
    public string Inputs => _f.Inputs;
    public string Root => _f.Root;

    public string File(string relative) => Path.Combine(Dataset, relative);

    public static string CarSource(string inputs) => $"    - kind: car\n      path: {inputs}/ipfs\n";

    /// <summary>
    /// Writes the config: the sample's 16 chips, the fixture's inputs; each argument replaces one part. Band files are
    /// downloaded whole (<c>download.mode: whole</c>): these tests damage, watch and serve whole files (tiles/, path and
    /// trustless gateways); the default's range reads have their own tests (tests/CropData.Build.Tests/Ranges).
    /// </summary>
    public void WriteConfig(string? ipfs = null, string? cmr = null, string? easier = null, string? cdl = null,
        string? reclass = null, string? aoi = null, string? extra = null)
    {
        var text = $"""
            data_dir: {DataDir}
            train_dataset_name: sample
            sample:
              enabled: false
            aoi:
            {aoi ?? "  chip_ids: " + ChipIds}
            stac:
              cmr_url: {cmr ?? Inputs + "/stac/cmr/catalog.json"}
              easier_url: {easier ?? Inputs + "/stac/easier/catalog.json"}
            ipfs:
            {ipfs ?? "  sources:\n" + CarSource(Inputs)}
            cdl:
              path: {cdl ?? "data/cdl/2021_30m_cdls_kansas_clip.tif"}
              reclass_table: {reclass ?? "data/classes/cdl_total_dst.csv"}
            download:
              mode: whole

            """;
        System.IO.File.WriteAllText(ConfigPath, text + (extra ?? "") + "\n");
    }

    /// <summary>
    /// The bad-input rows check that one bad input fails its own units and the build goes on where it can: that is
    /// --keep-going (make -k); without it the build stops after the failing task (README "What the engine guarantees").
    /// </summary>
    public bool KeepGoing { get; set; } = true;

    public IEnumerable<string> Args(string[] extra)
    {
        var args = new List<string> { $"--config={ConfigPath}", $"--root={Root}" };
        if (KeepGoing) args.Add("--keep-going");
        if (!extra.Any(a => a.StartsWith("--jobs=", StringComparison.Ordinal))) args.Add("--jobs=2");
        args.AddRange(extra);
        return args;
    }

    public Task<HostRun> RunAsync(params string[] extra) => HostProcess.RunAsync(Args(extra), workingDirectory: Root);

    public Task<HostRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] extra) =>
        HostProcess.RunAsync(Args(extra), environment: environment, workingDirectory: Root);

    public Task<HostRun> RunAsync(KillPlan? kill, Action<string>? onLine, params string[] extra) =>
        HostProcess.RunAsync(Args(extra), kill, onLine: onLine, workingDirectory: Root);

    /// <summary>The host in this process (same code path as the child, minus process start): result and log.</summary>
    public async Task<(BuildResult Result, string Log)> RunInProcessAsync(params string[] extra)
    {
        var output = new StringWriter();
        var result = await BuildHost.ExecuteAsync(Args(extra).ToArray(), o => new DatasetContext(o),
            new BuildHostSettings { Output = output, Interactive = false }, typeof(DatasetContext).Assembly);
        return (result, output.ToString());
    }
}
