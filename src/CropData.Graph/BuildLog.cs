namespace CropData.Graph;

/// <summary>Thread-safe log that honours <see cref="BuildVerbosity"/>.</summary>
public interface IBuildLog
{
    BuildVerbosity Verbosity { get; }
    void Error(string message);
    void Warning(string message);
    void Information(string message);
    void Verbose(string message);
    void Debug(string message);
}

public static class BuildLogExtensions
{
    public static bool IsEnabled(this IBuildLog log, BuildVerbosity level) => log.Verbosity >= level;
}

/// <summary>
/// Plain lines on a TextWriter (CI logs, tests). Errors show at every verbosity, warnings from Minimal; both go to
/// <paramref name="errors"/> (stderr in the host) when given, results and progress to <paramref name="writer"/>.
/// </summary>
public sealed class TextBuildLog(TextWriter writer, BuildVerbosity verbosity, TextWriter? errors = null) : IBuildLog
{
    private readonly Lock _gate = new();

    public BuildVerbosity Verbosity { get; } = verbosity;

    /// <summary>Paths under this folder are shown relative to it (the repository root): shorter lines, no machine paths.</summary>
    public string? PathBase { get; set; }

    public void Error(string message) => Write(BuildVerbosity.Quiet, "error: ", message, errors ?? writer);
    public void Warning(string message) => Write(BuildVerbosity.Minimal, "warning: ", message, errors ?? writer);
    public void Information(string message) => Write(BuildVerbosity.Normal, "", message, writer);
    public void Verbose(string message) => Write(BuildVerbosity.Verbose, "", message, writer);
    public void Debug(string message) => Write(BuildVerbosity.Diagnostic, "debug: ", message, writer);

    private void Write(BuildVerbosity level, string prefix, string message, TextWriter to)
    {
        if (Verbosity < level) return;
        lock (_gate)
        {
            to.WriteLine(prefix + LogPaths.Shorten(message, PathBase));
            to.Flush();
        }
    }
}

public static class LogPaths
{
    public static string Shorten(string message, string? pathBase)
    {
        if (string.IsNullOrEmpty(pathBase)) return message;
        string prefix = Path.TrimEndingDirectorySeparator(pathBase) + Path.DirectorySeparatorChar;
        return message.Replace(prefix, "", StringComparison.Ordinal);
    }
}
