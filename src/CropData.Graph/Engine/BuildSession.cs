using System.Collections.Concurrent;
using CropData.Graph.Hosting;

namespace CropData.Graph.Engine;

/// <summary>State shared by the tasks of one run.</summary>
internal sealed class BuildSession
{
    private readonly string _rootPrefix;
    private readonly (string Token, string Prefix)[] _roots;

    public BuildSession(BuildOptions options, IBuildLog log, HostConsole console, string stateDirectory, HashCache hashes, bool dryRun,
        IReadOnlyDictionary<string, string>? roots = null)
    {
        _roots = StampPaths.Roots(roots);
        Options = options;
        Log = log;
        Console = console;
        StateDirectory = stateDirectory;
        Root = Path.GetDirectoryName(stateDirectory) ?? stateDirectory;
        _rootPrefix = Path.EndsInDirectorySeparator(Root) ? Root : Root + Path.DirectorySeparatorChar;
        Hashes = hashes;
        Stamps = new StampStore(stateDirectory);
        DryRun = dryRun;
    }

    public BuildOptions Options { get; }
    public IBuildLog Log { get; }
    public HostConsole Console { get; }
    public string StateDirectory { get; }

    /// <summary>The dataset folder (parent of the state directory); stamp paths are relative to it.</summary>
    public string Root { get; }

    public HashCache Hashes { get; }
    public StampStore Stamps { get; }
    public bool DryRun { get; }

    /// <summary>Declared outputs of units that failed or were skipped in this run → "task/unit".</summary>
    public ConcurrentDictionary<string, string> Poisoned { get; } = new(StringComparer.Ordinal);

    /// <summary>"task/unit" of a unit that failed or was not run in this run → why (for the grouped "not run" lines).</summary>
    public ConcurrentDictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>"task/unit" of the first unit that failed in this run (null while none has).</summary>
    public string? FirstFailure => Volatile.Read(ref FirstFailureSlot);
    public string? FirstFailureSlot;

    /// <summary>Output → unit id of the task being executed (an output the task still declares is never deleted as stale).</summary>
    public IReadOnlyDictionary<string, string> Owners { get; set; } = new Dictionary<string, string>();

    /// <summary>Dry run: declared outputs of units that would build → "task/unit".</summary>
    public ConcurrentDictionary<string, string> PlannedOutputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Dry run: output folders (produced whole) of units that would build, each with a trailing separator.</summary>
    public ConcurrentDictionary<string, string> PlannedFolders { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Dry run: whether a unit that would build writes this path, as a declared output or as a file of a declared output
    /// folder (the sample's generated inputs: a file there is missing before sample-data runs, not missing for good).
    /// </summary>
    public bool WillBeWritten(string path) =>
        PlannedOutputs.ContainsKey(path) || (!PlannedFolders.IsEmpty && PlannedFolders.Keys.Any(f => path.StartsWith(f, StringComparison.Ordinal)));

    public ConcurrentQueue<UnitWarning> Warnings { get; } = new();

    public string Display(string fullPath)
    {
        string rel = fullPath.StartsWith(_rootPrefix, StringComparison.Ordinal) ? fullPath[_rootPrefix.Length..] : StampPaths.ToToken(fullPath, _roots);
        return Path.DirectorySeparatorChar == '/' ? rel : rel.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary><see cref="Display"/> without allocating (the no-op fast path compares 100k paths).</summary>
    public ReadOnlySpan<char> DisplaySpan(string fullPath)
    {
        if (Path.DirectorySeparatorChar != '/') return Display(fullPath);
        return fullPath.StartsWith(_rootPrefix, StringComparison.Ordinal) ? fullPath.AsSpan(_rootPrefix.Length) : StampPaths.ToToken(fullPath, _roots);
    }

    public string FromDisplay(string path) => StampPaths.ToFull(path, Root, _roots);
}
