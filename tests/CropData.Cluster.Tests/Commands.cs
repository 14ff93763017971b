using System.Diagnostics;

namespace CropData.Cluster.Tests;

/// <summary>Runs a command to its end and returns its exit code and output (stdout then stderr).</summary>
internal static class Commands
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within {timeout}");
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    public static async Task<string> OkAsync(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var (code, output) = await RunAsync(file, args, workingDirectory, environment, timeout);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    /// <summary>The executable on PATH (or in the sbin folders, where Debian puts the daemons), or null.</summary>
    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("EUID") == "0" || GetUid() == 0;

    private static uint GetUid()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return uint.Parse(status.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
            return uint.MaxValue;
        }
    }
}
