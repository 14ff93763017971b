using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.CommandLine;
using System.Text;

namespace CropData.Graph;

public enum BuildVerbosity
{
    Quiet,
    Minimal,
    Normal,
    Verbose,
    Diagnostic,
}

/// <summary>A usage error (bad flag, unknown target, dependency cycle): the host exits with code 2.</summary>
public sealed class BuildUsageException(string message) : Exception(message);

/// <summary>Shard K of N (K is 1-based, as written in <c>--shard=K/N</c>).</summary>
public readonly record struct ShardSpec
{
    public ShardSpec(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "shard count must be at least 1");
        if (index < 1 || index > count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"shard index must be in 1..{count}");
        Index = index;
        Count = count;
    }

    public int Index { get; }
    public int Count { get; }

    /// <summary>True when the unit with this shard key belongs to this shard.</summary>
    public bool Contains(string key) => (int)(StableHash(key) % (ulong)Count) == Index - 1;

    /// <summary>
    /// First 8 bytes (big-endian) of SHA-256 of the UTF-8 key. string.GetHashCode is randomised per process,
    /// so it would send a unit to different shards in different array jobs.
    /// </summary>
    public static ulong StableHash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>The parsed command line, in Cake's style (<c>--name=value</c>).</summary>
public sealed class BuildOptions
{
    public const string DefaultTarget = "Default";

    public string Target { get; init; } = DefaultTarget;
    public bool Exclusive { get; init; }
    public bool DryRun { get; init; }
    public bool ShowTree { get; init; }
    public bool ShowDescription { get; init; }
    public bool ShowHelp { get; init; }
    public string? ConfigPath { get; init; }

    /// <summary><c>--force</c> without a list: every task ignores its up-to-date state.</summary>
    public bool ForceAll { get; init; }

    /// <summary><c>--force=a,b</c>: the tasks named (case-insensitive).</summary>
    public IReadOnlySet<string> ForceTasks { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public int Jobs { get; init; } = Environment.ProcessorCount;
    public BuildVerbosity Verbosity { get; init; } = BuildVerbosity.Normal;
    public ShardSpec? Shard { get; init; }

    /// <summary><c>--keep-going</c> (make -k): after a failure, units that do not depend on it still run; aggregate
    /// and release steps never run after a failure, and the exit code stays non-zero.</summary>
    public bool KeepGoing { get; init; }

    /// <summary><c>--repair</c>: every input and output is checked by its bytes (no size+mtime shortcut, no hash cache);
    /// units whose outputs differ from their stamps rebuild, and what depends on them.</summary>
    public bool Repair { get; init; }

    /// <summary><c>--json</c>: the dry-run plan, or the run's summary, as JSON on stdout.</summary>
    public bool Json { get; init; }

    /// <summary>Every other <c>--key=value</c> (a bare <c>--key</c> gives "true"); keys are case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public bool IsForced(string taskName) => ForceAll || ForceTasks.Contains(taskName);

    public string? Argument(string name) => Arguments.TryGetValue(name, out var v) ? v : null;

    // Set by BuildHost before the context factory runs, so BuildContext's constructor picks up the host's log
    // and Ctrl+C token without the factory having to pass them along.
    internal IBuildLog? HostLog { get; set; }
    internal CancellationToken HostCancellation { get; set; }

    public static BuildOptions Parse(IReadOnlyList<string> args) => Parse(args, Environment.GetEnvironmentVariable);

    /// <summary>The host's options (System.CommandLine); <c>--name=value</c>, <c>--name value</c> and Cake's short aliases.</summary>
    private sealed class Grammar
    {
        public readonly Option<string?> Target = new("--target", "-t") { Description = "task to build (default: Default, which builds every task)" };
        public readonly Option<bool> Exclusive = new("--exclusive", "-e") { Description = "run only the target, not its dependencies" };
        public readonly Option<bool> DryRun = new("--dryrun", "--dry-run", "--noop", "--whatif") { Description = "print what would build and why; run nothing" };
        public readonly Option<bool> Tree = new("--tree", "--showtree") { Description = "print the dependency tree of the target" };
        public readonly Option<bool> Description = new("--description", "--descriptions", "--showdescription") { Description = "list the targets with their descriptions and options" };
        public readonly Option<bool> Help = new("--help", "-h", "-?") { Description = "this text" };
        public readonly Option<string?> Config = new("--config", "-c") { Description = "configuration file" };
        public readonly Option<string?> Force = new("--force", "-f") { Description = "ignore up-to-date state and rebuild from bytes (all tasks, or the tasks named: --force=a,b)", Arity = ArgumentArity.ZeroOrOne };
        public readonly Option<string?> Jobs = new("--jobs", "-j") { Description = "units run in parallel (default and 0: one per processor)" };
        public readonly Option<string?> Verbosity = new("--verbosity", "-v") { Description = "quiet | minimal | normal | verbose | diagnostic" };
        public readonly Option<string?> Shard = new("--shard") { Description = "run shard K of N (K 1-based; auto/N reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)" };
        public readonly Option<bool> KeepGoing = new("--keep-going", "--keepgoing", "-k") { Description = "after a failure, still run the units that do not depend on it (aggregate steps never run)" };
        public readonly Option<bool> Repair = new("--repair") { Description = "check every file by its bytes; rebuild units whose outputs differ (with --target=verify: then verify)" };
        public readonly Option<bool> Json = new("--json") { Description = "with --dryrun: the plan as JSON on stdout; otherwise the run's summary as JSON on stdout (the log goes to stderr)" };
        public readonly Dictionary<string, Option<string?>> Declared = new(StringComparer.OrdinalIgnoreCase);
        public readonly RootCommand Root = new("cropdata");

        public Grammar(IEnumerable<TaskArgumentAttribute> declared)
        {
            Root.Options.Clear(); // no built-in --help/--version: ours print the targets too
            foreach (var o in new Option[] { Target, Exclusive, DryRun, Tree, Description, Help, Config, Force, Jobs, Verbosity, Shard, KeepGoing, Repair, Json })
                Root.Options.Add(o);
            foreach (var d in declared)
            {
                if (Declared.ContainsKey(d.Name) || Root.Options.Any(o => o.Name == "--" + d.Name || o.Aliases.Contains("--" + d.Name))) continue;
                var option = new Option<string?>("--" + d.Name) { Description = d.Description, Arity = ArgumentArity.ZeroOrOne };
                Declared[d.Name] = option;
                Root.Options.Add(option);
            }
        }

        public IEnumerable<string> Names => Root.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
    }

    /// <summary>
    /// Parses the command line. With <paramref name="declared"/> (the host passes the options its tasks and context
    /// declare) parsing is strict: an unknown option is a usage error with the closest known names. Without it, any
    /// other <c>--key=value</c> is kept in <see cref="Arguments"/> (for embedding and tests).
    /// </summary>
    /// <param name="environment">Looks up SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX for <c>--shard=auto/N</c>.</param>
    public static BuildOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment, IReadOnlyCollection<TaskArgumentAttribute>? declared = null)
    {
        var g = new Grammar(declared ?? []);
        var extra = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var tokens = new List<string>();
        foreach (var arg in args)
        {
            if (arg.Length == 0) continue;
            if (!arg.StartsWith('-') && tokens.Count == 0)
                throw new BuildUsageException($"unexpected argument '{arg}' (options are written --name=value)");
            tokens.Add(arg);
        }
        var result = g.Root.Parse(tokens);
        var errors = new List<string>();
        foreach (var token in result.UnmatchedTokens)
        {
            string name = token.Split('=', 2)[0];
            if (declared is null && token.StartsWith("--", StringComparison.Ordinal) && name.Length > 2)
            {
                extra[name[2..]] = token.Contains('=') ? token.Split('=', 2)[1] : "true";
                continue;
            }
            if (!token.StartsWith('-'))
            {
                errors.Add($"unexpected argument '{token}' (options are written --name=value)");
                continue;
            }
            var near = Suggest(name, g.Names);
            errors.Add($"unknown option '{name}'" + (near.Count > 0 ? $"; did you mean {string.Join(" or ", near)}?" : "; see --help"));
        }
        foreach (var e in result.Errors.Where(e => !e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)))
            errors.Add(e.Message);
        if (errors.Count > 0) throw new BuildUsageException(string.Join("\n", errors.Distinct()));

        string? Value(Option<string?> o, string name)
        {
            if (result.GetResult(o) is null) return null;
            var v = result.GetValue(o);
            if (string.IsNullOrWhiteSpace(v)) throw new BuildUsageException($"{name} needs a value ({name}=...)");
            return v;
        }

        var force = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool forceAll = false;
        if (result.GetResult(g.Force) is not null) ParseForce(result.GetValue(g.Force), force, ref forceAll);
        foreach (var (name, option) in g.Declared)
            if (result.GetResult(option) is not null) extra[name] = result.GetValue(option) is { Length: > 0 } v ? v : "true";

        return new BuildOptions
        {
            Target = Value(g.Target, "--target") ?? DefaultTarget,
            Exclusive = result.GetValue(g.Exclusive),
            DryRun = result.GetValue(g.DryRun),
            ShowTree = result.GetValue(g.Tree),
            ShowDescription = result.GetValue(g.Description),
            ShowHelp = result.GetValue(g.Help),
            ConfigPath = Value(g.Config, "--config"),
            ForceAll = forceAll,
            ForceTasks = force,
            Jobs = Value(g.Jobs, "--jobs") is { } jobs ? ParseJobs(jobs) : Environment.ProcessorCount,
            Verbosity = Value(g.Verbosity, "--verbosity") is { } level ? ParseVerbosity(level) : BuildVerbosity.Normal,
            Shard = Value(g.Shard, "--shard") is { } shard ? ParseShard(shard, environment) : null,
            KeepGoing = result.GetValue(g.KeepGoing),
            Repair = result.GetValue(g.Repair),
            Json = result.GetValue(g.Json),
            Arguments = extra,
        };
    }

    /// <summary>Up to three known names closest to a mistyped one (edit distance, or a shared prefix).</summary>
    public static IReadOnlyList<string> Suggest(string given, IEnumerable<string> known)
    {
        string g = given.ToLowerInvariant();
        return known.Distinct(StringComparer.Ordinal)
            .Select(k => (Name: k, Distance: Distance(g, k.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, x.Name.Length / 3) || x.Name.StartsWith(g, StringComparison.OrdinalIgnoreCase) && g.Length >= 4)
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(3).Select(x => x.Name).ToList();
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                // an adjacent swap ("traget") counts as one edit
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>The options part of --help.</summary>
    public static string OptionsHelp(IReadOnlyCollection<TaskArgumentAttribute> declared)
    {
        var g = new Grammar([]);
        var lines = new List<string> { "Options (Cake style, --name=value):" };
        foreach (var o in g.Root.Options)
        {
            string names = string.Join(", ", o.Aliases.Where(a => a.Length == 2).Prepend(o.Name));
            string value = o is Option<bool> ? "" : o == g.Force ? "[=a,b]" : "=" + o.Name.TrimStart('-').ToUpperInvariant();
            lines.Add($"  {(names + value),-32} {o.Description}");
        }
        if (declared.Count > 0)
        {
            lines.Add("");
            lines.Add("Options read by one target (see --description):");
            foreach (var d in declared.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
                lines.Add($"  {("--" + d.Name + (d.Value.Length > 0 ? "=" + d.Value : "")),-32} {d.Description}");
        }
        lines.Add("");
        lines.Add("Exit codes: 0 success, 1 the build failed (a task or unit failed, or another build holds the folder),");
        lines.Add("            2 usage or configuration error (nothing was built).");
        return string.Join("\n", lines);
    }

    private static bool Flag(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new BuildUsageException($"--{name} takes no value or true/false, not '{value}'"),
    };

    private static void ParseForce(string? value, HashSet<string> tasks, ref bool all)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "true" or "*" or "all":
                all = true;
                return;
            case "false":
                all = false;
                tasks.Clear();
                return;
        }
        foreach (var part in value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            tasks.Add(part);
    }

    private static int ParseJobs(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int jobs))
            throw new BuildUsageException($"--jobs must be a whole number, not '{value}'");
        return jobs == 0 ? Environment.ProcessorCount : jobs;
    }

    public static BuildVerbosity ParseVerbosity(string value) => value.Trim().ToLowerInvariant() switch
    {
        "quiet" or "q" => BuildVerbosity.Quiet,
        "minimal" or "m" => BuildVerbosity.Minimal,
        "normal" or "n" => BuildVerbosity.Normal,
        "verbose" or "v" => BuildVerbosity.Verbose,
        "diagnostic" or "diag" or "d" => BuildVerbosity.Diagnostic,
        _ => throw new BuildUsageException($"--verbosity must be quiet, minimal, normal, verbose or diagnostic, not '{value}'"),
    };

    public static ShardSpec ParseShard(string value, Func<string, string?> environment)
    {
        var parts = value.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new BuildUsageException($"--shard must be K/N or auto/N with N >= 1, not '{value}'");
        int k;
        if (parts[0].Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Both variables are 0-based array indices; the flag's K is 1-based.
            string? raw = null, source = null;
            foreach (var variable in (string[])["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"])
            {
                raw = environment(variable);
                if (!string.IsNullOrWhiteSpace(raw)) { source = variable; break; }
            }
            if (source is null)
                throw new BuildUsageException("--shard=auto/N needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment");
            if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int index0))
                throw new BuildUsageException($"{source}='{raw}' is not a whole number");
            k = index0 + 1;
            if (k > n) throw new BuildUsageException($"{source}={index0} is outside 0..{n - 1} for --shard=auto/{n}");
        }
        else if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out k) || k < 1 || k > n)
        {
            throw new BuildUsageException($"--shard=K/N needs 1 <= K <= N, not '{value}'");
        }
        return new ShardSpec(k, n);
    }
}
