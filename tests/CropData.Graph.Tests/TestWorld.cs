using System.Collections.Concurrent;
using System.Text;

namespace CropData.Graph.Tests;

/// <summary>
/// A temp dataset folder plus the knobs the test tasks read (config, unit list, which units fail). Tasks find
/// it through their context, so test classes running in parallel never share state.
/// </summary>
public sealed class World : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("cropdata-graph-").FullName;
    public ConcurrentDictionary<string, string> Config { get; } = new(StringComparer.Ordinal);
    public List<string> Chips { get; set; } = [];
    public ConcurrentDictionary<string, byte> FailIn { get; } = new();
    public ConcurrentDictionary<string, byte> ThrowAfterTemp { get; } = new();

    /// <summary>"task/unit" for every unit body that ran in the last build.</summary>
    public ConcurrentQueue<string> Runs { get; private set; } = new();
    /// <summary>AfterUnits calls in the last build.</summary>
    public ConcurrentQueue<string> Gathers { get; private set; } = new();

    /// <summary>The source gather also writes gathered/extra.txt (switch off to see the engine delete it).</summary>
    public bool GatherExtra { get; set; }
    public int ReportRuns;
    public string LastOutput { get; private set; } = "";

    public string StateDirectory => Path.Combine(Root, ".build");

    public string P(params string[] parts) => Path.Combine([Root, .. parts]);

    public void WriteInput(string chip, string content)
    {
        Directory.CreateDirectory(P("in"));
        File.WriteAllText(P("in", chip + ".txt"), content);
    }

    public string Read(params string[] parts) => File.ReadAllText(P(parts));

    public IEnumerable<string> RanIn(string task) =>
        Runs.Where(r => r.StartsWith(task + "/", StringComparison.Ordinal)).Select(r => r[(task.Length + 1)..]).Order(StringComparer.Ordinal);

    public Task<BuildResult> Build(params string[] args) => BuildWith<PipeContext>(o => new PipeContext(o, this), args);

    public async Task<BuildResult> BuildWith<TContext>(Func<BuildOptions, TContext> factory, string[] args, CancellationToken ct = default)
        where TContext : BuildContext
    {
        Runs = new ConcurrentQueue<string>();
        Gathers = new ConcurrentQueue<string>();
        var output = new StringWriter();
        var result = await BuildHost.ExecuteAsync(args, factory,
            new BuildHostSettings { Output = TextWriter.Synchronized(output), Interactive = false, CancellationToken = ct },
            typeof(World).Assembly);
        LastOutput = output.ToString();
        return result;
    }

    /// <summary>Last-write times of every output and stamp (not the hash cache, which is allowed to change).</summary>
    public Dictionary<string, DateTime> Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("hashes.bin", StringComparison.Ordinal) && !f.Contains(".lock", StringComparison.Ordinal) && !f.StartsWith(P("in"), StringComparison.Ordinal))
            .ToDictionary(f => f, File.GetLastWriteTimeUtc);

    public string StampPath(string task, string unit) => Path.Combine(StateDirectory, "stamps", task, unit + ".json");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    public static void WriteAllTextVia(UnitOutputs outputs, string path, string content) =>
        File.WriteAllText(outputs.TempPathFor(path), content, Encoding.UTF8);
}

public class WorldContext(BuildOptions options, World world) : BuildContext(options)
{
    public World World { get; } = world;
    public override string StateDirectory => World.StateDirectory;
    public override string? ConfigValue(string key) => World.Config.TryGetValue(key, out var v) ? v : null;
}
