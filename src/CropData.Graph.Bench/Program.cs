using System.Diagnostics;
using System.Globalization;
using CropData.Graph;

// No-op check benchmark: 5,000 chip-like units with 21 inputs each (20 per-unit band files + 1 shared raster)
// and an aggregate over all 5,000 outputs.
//   bench all DIR        set up DIR, then time a cold build and three no-op builds, each in a fresh process
//   bench setup DIR      create the inputs only
//   bench run DIR [args] one timed build (extra args go to the host, e.g. --dryrun)
string mode = args.Length > 0 ? args[0] : "all";
string dir = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "cropdata-graph-bench"));
const int Units = 5000, PerUnit = 20, Bytes = 2048;

switch (mode)
{
    case "setup":
        Setup(dir);
        return 0;
    case "run":
        return await Run(dir, args.Skip(2).ToArray());
    case "loop":
        // The same no-op build repeated in one process: steady state, JIT warm.
        for (int i = 0; i < int.Parse(args.Length > 2 ? args[2] : "5", CultureInfo.InvariantCulture); i++)
            await Run(dir, ["--verbosity=quiet"]);
        return 0;
    case "all":
        Setup(dir);
        foreach (var label in new[] { "cold (builds everything)", "no-op 1", "no-op 2", "no-op 3", "dry run" })
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            foreach (var a in (string[])["run", dir, .. label == "dry run" ? ["--dryrun"] : Array.Empty<string>()]) psi.ArgumentList.Add(a);
            if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal)) psi.ArgumentList.Insert(0, typeof(BenchTask).Assembly.Location);
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            string output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            string line = output.Split('\n').LastOrDefault(l => l.StartsWith("bench:", StringComparison.Ordinal)) ?? "(no result)";
            Console.WriteLine($"{label,-26} {line}  process {clock.Elapsed.TotalMilliseconds:0} ms  exit {p.ExitCode}");
        }
        return 0;
    default:
        Console.Error.WriteLine("usage: bench all|setup|run DIR [host args]");
        return 2;
}

static void Setup(string dir)
{
    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    var clock = Stopwatch.StartNew();
    var random = new Random(42);
    byte[] buffer = new byte[Bytes];
    Directory.CreateDirectory(Path.Combine(dir, "in"));
    random.NextBytes(buffer);
    File.WriteAllBytes(Path.Combine(dir, "in", "cdl.bin"), buffer);
    for (int u = 0; u < Units; u++)
    {
        string unitDir = Path.Combine(dir, "in", u.ToString("0000", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(unitDir);
        for (int b = 0; b < PerUnit; b++)
        {
            random.NextBytes(buffer);
            File.WriteAllBytes(Path.Combine(unitDir, $"b{b:00}.bin"), buffer);
        }
    }
    // Inputs older than the hash cache's trust margin, as they are when a real build starts.
    foreach (var f in Directory.EnumerateFiles(Path.Combine(dir, "in"), "*", SearchOption.AllDirectories))
        File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(-5));
    Console.WriteLine($"setup: {Units * PerUnit + 1} input files in {clock.Elapsed.TotalSeconds:0.0} s");
}

static async Task<int> Run(string dir, string[] hostArgs)
{
    var clock = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var result = await BuildHost.ExecuteAsync(hostArgs, o => new BenchContext(o, dir),
        Environment.GetEnvironmentVariable("BENCH_TTY") == "1" ? new BuildHostSettings() : new BuildHostSettings { Output = Console.Out, Interactive = false },
        typeof(BenchTask).Assembly);
    double ms = clock.Elapsed.TotalMilliseconds;
    var chips = result.Task("chips");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"bench: {ms:0} ms in BuildHost, cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds:0} ms, process cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:0} ms, gen0 GCs {GC.CollectionCount(0)} (chips built {chips?.Built}, up to date {chips?.UpToDate}, would build {chips?.WouldBuild}), exit {result.ExitCode}"));
    return result.ExitCode;
}

public sealed class BenchContext(BuildOptions options, string dir) : BuildContext(options)
{
    public string Dir { get; } = dir;
    public override string StateDirectory => Path.Combine(Dir, ".build");
    public override string? ConfigValue(string key) => key switch { "bands" => "B02,B03,B04,B8A,B11,B12", "na_value" => "-1000", _ => null };
}

[TaskName("chips")]
public sealed class BenchTask : UnitTask<BenchContext, int>
{
    public override IEnumerable<int> Units(BenchContext c) => Enumerable.Range(0, 5000);
    public override string UnitId(int u) => "chip_" + u.ToString("0000", CultureInfo.InvariantCulture);
    public override string? ShardKey(int u) => UnitId(u);

    public override UnitSpec Describe(int u, BenchContext c)
    {
        string unitDir = Path.Combine(c.Dir, "in", u.ToString("0000", CultureInfo.InvariantCulture));
        var inputs = new string[21];
        for (int b = 0; b < 20; b++) inputs[b] = Path.Combine(unitDir, "b" + b.ToString("00", CultureInfo.InvariantCulture) + ".bin");
        inputs[20] = Path.Combine(c.Dir, "in", "cdl.bin");
        return new UnitSpec(inputs, ["bands", "na_value"], [Path.Combine(c.Dir, "chips", UnitId(u) + ".bin")]);
    }

    public override void Run(int u, BenchContext c, UnitOutputs o)
    {
        var spec = Describe(u, c);
        using var output = File.Create(o.TempPathFor(spec.Outputs[0]));
        foreach (var input in spec.Inputs) output.Write(File.ReadAllBytes(input).AsSpan(0, 64));
    }
}

[TaskName("stats")]
[IsDependentOn(typeof(BenchTask))]
public sealed class BenchStatsTask : UnitTask<BenchContext, string>
{
    public override bool IsAggregate => true;
    public override IEnumerable<string> Units(BenchContext c) => ["stats"];
    public override string UnitId(string u) => u;

    public override UnitSpec Describe(string u, BenchContext c) => new(
        Enumerable.Range(0, 5000).Select(i => Path.Combine(c.Dir, "chips", "chip_" + i.ToString("0000", CultureInfo.InvariantCulture) + ".bin")),
        [], [Path.Combine(c.Dir, "stats.txt")]);

    public override void Run(string u, BenchContext c, UnitOutputs o)
    {
        long total = Describe(u, c).Inputs.Sum(f => new FileInfo(f).Length);
        File.WriteAllText(o.TempPathFor(Path.Combine(c.Dir, "stats.txt")), total.ToString(CultureInfo.InvariantCulture));
    }
}
