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

/// <summary>Plain lines on a TextWriter (CI logs, tests). Errors show at every verbosity, warnings from Minimal.</summary>
public sealed class TextBuildLog(TextWriter writer, BuildVerbosity verbosity) : IBuildLog
{
    private readonly Lock _gate = new();

    public BuildVerbosity Verbosity { get; } = verbosity;

    public void Error(string message) => Write(BuildVerbosity.Quiet, "error: ", message);
    public void Warning(string message) => Write(BuildVerbosity.Minimal, "warning: ", message);
    public void Information(string message) => Write(BuildVerbosity.Normal, "", message);
    public void Verbose(string message) => Write(BuildVerbosity.Verbose, "", message);
    public void Debug(string message) => Write(BuildVerbosity.Diagnostic, "debug: ", message);

    private void Write(BuildVerbosity level, string prefix, string message)
    {
        if (Verbosity < level) return;
        lock (_gate)
        {
            writer.WriteLine(prefix + message);
            writer.Flush();
        }
    }
}
