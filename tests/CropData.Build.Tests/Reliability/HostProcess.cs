using System.Diagnostics;

namespace CropData.Build.Tests.Reliability;

/// <summary>What a child run of the task host did: exit code, whether the test killed it (and on which line), its output.</summary>
public sealed record HostRun(int ExitCode, bool Killed, string? KilledAfter, IReadOnlyList<string> Lines, int Pid, TimeSpan Elapsed)
{
    public string Output => string.Join("\n", Lines);

    public override string ToString() =>
        $"exit {ExitCode}{(Killed ? $", killed after '{KilledAfter}'" : "")}, {Elapsed.TotalSeconds:0.0} s, pid {Pid}\n{Output}";
}

/// <summary>When to SIGKILL a child run: on the first stdout/stderr line matching <see cref="Line"/> (plus <see cref="Delay"/>), or <see cref="Delay"/> after start.</summary>
public sealed record KillPlan(string Name, Func<string, bool>? Line, TimeSpan Delay)
{
    public static KillPlan OnLine(string name, Func<string, bool> line, TimeSpan delay = default) => new(name, line, delay);
    public static KillPlan After(string name, TimeSpan delay) => new(name, null, delay);
}

/// <summary>
/// Runs the real task host (<c>dotnet cropdata.dll</c>, the build of build/Build.csproj copied next to this test
/// assembly) as a child process, reading its output line by line. A kill is Process.Kill(entireProcessTree), which
/// is SIGKILL on Linux: no finally blocks, no flushes, no lock release but the kernel's.
/// </summary>
public static class HostProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "cropdata.dll");

    public static async Task<HostRun> RunAsync(IEnumerable<string> args, KillPlan? kill = null,
        IReadOnlyDictionary<string, string?>? environment = null, Action<Process>? started = null,
        TimeSpan? timeout = null, string? workingDirectory = null, Action<string>? onLine = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Plain line output (no Spectre progress): the host treats CI as non-interactive.
        psi.Environment["CI"] = "true";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("EARTHDATA_TOKEN");
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;

        var lines = new List<string>();
        var gate = new object();
        int killed = 0;
        string? killedAfter = null;
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi, EnableRaisingEvents = true };

        void KillNow(string why)
        {
            if (Interlocked.Exchange(ref killed, 1) == 1) return;
            killedAfter = why;
            try { p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // already exited
            catch (System.ComponentModel.Win32Exception) { }
        }

        void OnLine(string? line)
        {
            if (line is null) return;
            lock (gate) lines.Add(line);
            onLine?.Invoke(line);
            if (kill?.Line is { } match && Volatile.Read(ref killed) == 0 && match(line))
            {
                if (kill.Delay <= TimeSpan.Zero) KillNow(line);
                else _ = Task.Delay(kill.Delay).ContinueWith(_ => KillNow(line + $" (+{kill.Delay.TotalMilliseconds:0} ms)"), TaskScheduler.Default);
            }
        }

        p.OutputDataReceived += (_, e) => OnLine(e.Data);
        p.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!p.Start()) throw new InvalidOperationException("could not start dotnet " + Dll);
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        int pid = p.Id;
        started?.Invoke(p);
        if (kill is { Line: null } timed)
            _ = Task.Delay(timed.Delay).ContinueWith(_ => KillNow($"{timed.Delay.TotalMilliseconds:0} ms after start"), TaskScheduler.Default);

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(6));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            string partial;
            lock (gate) partial = string.Join("\n", lines);
            throw new TimeoutException($"cropdata {string.Join(' ', psi.ArgumentList.Skip(1))} did not end within {(timeout ?? TimeSpan.FromMinutes(6)).TotalSeconds:0} s:\n{partial}");
        }
        p.WaitForExit(); // drains the asynchronous output readers
        lock (gate)
            return new HostRun(p.ExitCode, killed == 1, killedAfter, lines.ToList(), pid, clock.Elapsed);
    }
}
