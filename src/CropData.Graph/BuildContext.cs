namespace CropData.Graph;

/// <summary>
/// The one typed object every task receives, created once by the host's factory from the parsed command line.
/// Unit tasks call <see cref="ConfigValue"/> and their own members from several threads at once (units run in
/// parallel), so a derived context must be safe to read concurrently.
/// </summary>
public abstract class BuildContext
{
    protected BuildContext(BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Log = options.HostLog ?? new TextBuildLog(Console.Out, options.Verbosity);
        CancellationToken = options.HostCancellation;
    }

    public BuildOptions Options { get; }
    public IBuildLog Log { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>Where stamps, the hash cache and the build lock live (the dataset folder's ".build/").</summary>
    public abstract string StateDirectory { get; }

    /// <summary>Canonical string of a config key's value, used in unit fingerprints; null if unset.</summary>
    public abstract string? ConfigValue(string key);

    public string? Argument(string name) => Options.Argument(name);

    /// <summary>
    /// Called by the engine around each call into a unit task (Units, Describe, Run) with the config keys that
    /// call may read: the task's <see cref="ReadsConfigAttribute"/> keys, plus the unit's own in Run. A context whose
    /// config can see its reads returns a scope in which reading any other key fails, so a fingerprint cannot miss a
    /// key the unit depends on; null checks nothing.
    /// </summary>
    public virtual IDisposable? DeclareConfigReads(string task, IReadOnlyCollection<string> keys) => null;

    /// <summary>
    /// Folders outside the dataset that several builds share (the data folder): at the start of a run the engine
    /// removes the temps left there by writers that are no longer running.
    /// </summary>
    public virtual IEnumerable<string> SharedFolders => [];

    /// <summary>
    /// Named folders outside the dataset that stamps refer to by name (<c>${data_dir}/sample_inputs/…</c>) rather than by
    /// absolute path, so the data folder can be copied or moved and stay up to date.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> PathRoots => new Dictionary<string, string>();

    /// <summary>Paths under this folder are printed relative to it (the repository root); null prints them as they are.</summary>
    public virtual string? DisplayRoot => null;

    /// <summary>The run's hash cache, set by the host for the tasks of a real run (null in a dry run or outside a build).</summary>
    internal Engine.HashCache? Hashes { get; set; }

    /// <summary>
    /// SHA-256 of a file (lower-case hex), answered from the build's hash cache when the file's size and mtime are those
    /// it had when last hashed (the rule the engine trusts for unit inputs, racy-clean guard included), else read and
    /// remembered. For plain tasks that list or hash whole folders every run (the dataset manifest), so a no-op build
    /// does not read every output again. Throws <see cref="FileNotFoundException"/> for a missing file.
    /// </summary>
    public string Sha256Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (Hashes is null) return Engine.HashCache.HashFile(full);
        return Hashes.TryGetHash(full) ?? throw new FileNotFoundException($"{full} does not exist", full);
    }
}
