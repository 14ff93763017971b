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
}
