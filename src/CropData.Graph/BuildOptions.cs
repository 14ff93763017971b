using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
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

    /// <param name="environment">Looks up SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX for <c>--shard=auto/N</c>.</param>
    public static BuildOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string target = DefaultTarget;
        bool exclusive = false, dryRun = false, tree = false, description = false, help = false, forceAll = false, keepGoing = false, repair = false;
        string? config = null;
        var force = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int jobs = Environment.ProcessorCount;
        var verbosity = BuildVerbosity.Normal;
        ShardSpec? shard = null;
        var extra = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name;
            string? value = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                string body = arg[2..];
                int eq = body.IndexOf('=');
                if (eq >= 0) { name = body[..eq]; value = body[(eq + 1)..]; }
                else name = body;
            }
            else if (arg.Length == 2 && arg[0] == '-' && arg[1] != '-')
            {
                name = arg[1..];
            }
            else
            {
                throw new BuildUsageException($"unexpected argument '{arg}' (options are written --name=value)");
            }
            if (name.Length == 0) throw new BuildUsageException($"unexpected argument '{arg}'");

            // Cake also accepts "--target chips"; no positional arguments exist, so a following word is the value.
            string? NextValue()
            {
                if (value is not null) return value;
                if (i + 1 < args.Count && !args[i + 1].StartsWith('-')) return args[++i];
                return null;
            }
            string Required()
            {
                var v = NextValue();
                if (string.IsNullOrWhiteSpace(v)) throw new BuildUsageException($"--{name} needs a value (--{name}=...)");
                return v;
            }

            switch (name.ToLowerInvariant())
            {
                case "target": case "t":
                    target = Required();
                    break;
                case "exclusive": case "e":
                    exclusive = Flag(name, value);
                    break;
                case "dryrun": case "dry-run": case "noop": case "whatif":
                    dryRun = Flag(name, value);
                    break;
                case "tree": case "showtree":
                    tree = Flag(name, value);
                    break;
                case "description": case "descriptions": case "showdescription":
                    description = Flag(name, value);
                    break;
                case "help": case "h": case "?":
                    help = Flag(name, value);
                    break;
                case "config": case "c":
                    config = Required();
                    break;
                case "force": case "f":
                    ParseForce(value, force, ref forceAll);
                    break;
                case "jobs": case "j":
                    jobs = ParseJobs(Required());
                    break;
                case "verbosity": case "v":
                    verbosity = ParseVerbosity(Required());
                    break;
                case "shard":
                    shard = ParseShard(Required(), environment);
                    break;
                case "keep-going": case "keepgoing": case "k":
                    keepGoing = Flag(name, value);
                    break;
                case "repair":
                    repair = Flag(name, value);
                    break;
                default:
                    extra[name] = NextValue() ?? "true";
                    break;
            }
        }

        return new BuildOptions
        {
            Target = target,
            Exclusive = exclusive,
            DryRun = dryRun,
            ShowTree = tree,
            ShowDescription = description,
            ShowHelp = help,
            ConfigPath = config,
            ForceAll = forceAll,
            ForceTasks = force,
            Jobs = jobs,
            Verbosity = verbosity,
            Shard = shard,
            KeepGoing = keepGoing,
            Repair = repair,
            Arguments = extra,
        };
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

    public static string Usage => """
        Options (Cake style, --name=value):
          --target=NAME        task to build (default: Default, which builds every task)
          --exclusive          run only the target, not its dependencies
          --dryrun             print what would build and why; run nothing
          --tree               print the dependency tree of the target
          --description        list the tasks with their descriptions
          --config=PATH        configuration file
          --force[=a,b]        ignore up-to-date state (all tasks, or the tasks named)
          --jobs=N             units run in parallel (default: processor count)
          --verbosity=LEVEL    quiet | minimal | normal | verbose | diagnostic
          --shard=K/N          run shard K of N (K 1-based; auto/N reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)
          --keep-going         after a failure, still run the units that do not depend on it (aggregate steps never run)
          --repair             check every file by its bytes; rebuild units whose outputs differ (with --target=verify: then verify)
          --KEY=VALUE          passed to the build context as an argument
        """;
}
