using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

// Slurm, munge and the file modes they insist on are Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace CropData.Cluster.Tests;

/// <summary>
/// A test that needs a real Slurm: it installs slurm-wlm with apt-get when missing, so it runs only as root, and only
/// where apt-get exists when Slurm is not installed yet. It is skipped, with the reason, nowhere else (CI runs as root
/// on Debian, so it runs there).
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!Commands.IsRoot)
            Skip = "needs root: the test starts munged, slurmctld and slurmd itself (run it as root, as CI does)";
        else if (Commands.Which("slurmctld") is null && Commands.Which("apt-get") is null)
            Skip = "Slurm is not installed and there is no apt-get to install slurm-wlm";
    }
}

/// <summary>
/// A one-node Slurm cluster of this machine for one test: munged, slurmctld and slurmd started directly as root (no
/// systemd), each in the foreground as a child of the test, with its config, key, state, spool and logs in a temporary
/// folder and ports of its own. <see cref="DisposeAsync"/> cancels every job and stops the three daemons, also after a
/// failure. Commands run with <see cref="Environment"/> (SLURM_CONF) reach this cluster only.
/// </summary>
public sealed class SlurmCluster : IAsyncDisposable
{
    public string Folder { get; }
    public string Node { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }
    private readonly List<Process> _daemons = [];
    private readonly ITestOutputHelper _log;

    private SlurmCluster(string folder, ITestOutputHelper log)
    {
        Folder = folder;
        _log = log;
        Node = Dns.GetHostName().Split('.')[0];
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(folder, "slurm.conf") };
    }

    public static async Task<SlurmCluster> StartAsync(ITestOutputHelper log)
    {
        await InstallAsync(log);
        var folder = Path.Combine(Path.GetTempPath(), "cropdata-slurm-" + Guid.NewGuid().ToString("N")[..8]);
        var cluster = new SlurmCluster(folder, log);
        try
        {
            await cluster.StartDaemonsAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task InstallAsync(ITestOutputHelper log)
    {
        if (new[] { "slurmctld", "slurmd", "munged", "sbatch" }.All(n => Commands.Which(n) is not null)) return;
        log.WriteLine("installing slurm-wlm with apt-get (brings munge)");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] install = ["install", "-y", "-qq", "--no-install-recommends", "slurm-wlm"];
        var (code, output) = await Commands.RunAsync("apt-get", install, environment: env, timeout: TimeSpan.FromMinutes(10));
        if (code != 0)
        {
            await Commands.OkAsync("apt-get", ["update", "-qq"], environment: env, timeout: TimeSpan.FromMinutes(5));
            (code, output) = await Commands.RunAsync("apt-get", install, environment: env, timeout: TimeSpan.FromMinutes(10));
        }
        Assert.True(code == 0, "apt-get install slurm-wlm failed:\n" + output);
    }

    private async Task StartDaemonsAsync()
    {
        foreach (var d in new[] { "state", "spool", "log", "munge" }) Directory.CreateDirectory(Path.Combine(Folder, d));
        // munged refuses a key or socket folder that others can write or read.
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var munge = Path.Combine(Folder, "munge");
        File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        var socket = Path.Combine(munge, "munge.socket");
        File.WriteAllText(Environment["SLURM_CONF"], Config(socket, FreePort(), FreePort()));

        Start("munged", "-F", "-f", $"--socket={socket}", $"--key-file={key}", $"--pid-file={munge}/munged.pid",
            $"--log-file={munge}/munged.log", $"--seed-file={munge}/munged.seed");
        await WaitForAsync(() => Task.FromResult(File.Exists(socket)), "munged's socket", TimeSpan.FromSeconds(10));
        Start("slurmctld", "-D", "-i");
        Start("slurmd", "-D", "-N", Node);
        await WaitForAsync(async () => (await Commands.RunAsync("sinfo", ["-h", "-N", "-o", "%T"], environment: Environment)).Output.Trim() == "idle",
            "the node to be idle (sinfo)", TimeSpan.FromSeconds(30));
        _log.WriteLine($"slurm: one-node cluster up in {Folder} (node {Node}, {System.Environment.ProcessorCount} CPUs)");
    }

    // One node, one partition; no cgroups (proctrack/linuxproc, task/none), no accounting, the FIFO scheduler every second.
    private string Config(string mungeSocket, int ctldPort, int slurmdPort) => $"""
        ClusterName=cropdata-ci
        SlurmctldHost={Node}(127.0.0.1)
        SlurmctldPort={ctldPort}
        SlurmdPort={slurmdPort}
        SlurmUser=root
        SlurmdUser=root
        AuthType=auth/munge
        AuthInfo=socket={mungeSocket}
        CredType=cred/munge
        StateSaveLocation={Folder}/state
        SlurmdSpoolDir={Folder}/spool
        SlurmctldPidFile={Folder}/slurmctld.pid
        SlurmdPidFile={Folder}/slurmd.pid
        SlurmctldLogFile={Folder}/log/slurmctld.log
        SlurmdLogFile={Folder}/log/slurmd.log
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        JobAcctGatherType=jobacct_gather/none
        AccountingStorageType=accounting_storage/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_CPU
        SchedulerType=sched/builtin
        SchedulerParameters=sched_interval=1
        MpiDefault=none
        ReturnToService=2
        MinJobAge=600
        NodeName={Node} NodeAddr=127.0.0.1 CPUs={System.Environment.ProcessorCount} RealMemory=2048 State=UNKNOWN
        PartitionName=ci Nodes={Node} Default=YES MaxTime=INFINITE State=UP

        """;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void Start(string daemon, params string[] args)
    {
        var info = new ProcessStartInfo(Commands.Which(daemon) ?? daemon)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) info.Environment[k] = v;
        var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {daemon}");
        var log = File.CreateText(Path.Combine(Folder, "log", daemon + ".out"));
        log.AutoFlush = true;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _daemons.Add(p);
    }

    private async Task WaitForAsync(Func<Task<bool>> ready, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await ready())
        {
            var dead = _daemons.FirstOrDefault(d => d.HasExited);
            if (dead is not null || clock.Elapsed > timeout)
                throw new InvalidOperationException($"slurm: gave up waiting for {what} after {clock.Elapsed.TotalSeconds:0.0} s" +
                                                    (dead is null ? "" : $" ({dead.StartInfo.FileName} exited {dead.ExitCode})") + "\n" + Logs());
            await Task.Delay(100);
        }
    }

    /// <summary>The tails of the daemons' logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", Directory.EnumerateFiles(Path.Combine(Folder, "log")).Order(StringComparer.Ordinal)
        .Select(f => $"--- {Path.GetFileName(f)}\n" + string.Join("\n", ReadShared(f).Split('\n').TakeLast(15))));

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(s).ReadToEnd();
    }

    public Task<string> RunAsync(string command, params string[] args) => Commands.OkAsync(command, args, environment: Environment);

    /// <summary>Submits a batch script from <paramref name="repo"/> with <paramref name="environment"/> (this cluster's included); returns its job id.</summary>
    public async Task<string> SbatchAsync(string repo, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        (await Commands.OkAsync("sbatch", ["--parsable", .. args], repo, environment)).Trim().Split(';')[0];

    /// <summary>JobState of every task of a job (one for a plain job, one per index for an array), by job id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatesAsync(string job)
    {
        var (code, output) = await Commands.RunAsync("scontrol", ["show", "job", "-o", job], environment: Environment);
        Assert.True(code == 0, $"scontrol show job {job} failed:\n{output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => (Id: Field(l, "JobId"), Task: Field(l, "ArrayTaskId"), State: Field(l, "JobState")))
            .ToDictionary(x => x.Task is null ? x.Id! : $"{Field(output, "ArrayJobId")}_{x.Task}", x => x.State ?? "?");
    }

    public static string? Field(string line, string name) => Regex.Match(line, $@"(?:^|\s){name}=(\S*)") is { Success: true } m ? m.Groups[1].Value : null;

    private static readonly HashSet<string> Running = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"];

    /// <summary>Polls until every task of the job has ended; returns their final states.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitAsync(string job, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var states = await StatesAsync(job);
            if (states.Values.All(s => !Running.Contains(s))) return states;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"job {job} still {string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"))} after {timeout}\n{Logs()}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Jobs first (their shells and builds are not children of the test), then the daemons, newest first.
        if (_daemons.Count == 3 && !_daemons.Any(d => d.HasExited))
        {
            try
            {
                await Commands.RunAsync("scancel", ["--full", "--quiet", "--partition=ci"], environment: Environment, timeout: TimeSpan.FromSeconds(20));
                await Task.Delay(500);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                _log.WriteLine("slurm: scancel at cleanup failed: " + e.Message);
            }
        }
        foreach (var d in Enumerable.Reverse(_daemons))
        {
            try
            {
                if (!d.HasExited) d.Kill(entireProcessTree: true);
                await d.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                _log.WriteLine($"slurm: stopping {d.StartInfo.FileName} failed: {e.Message}");
            }
            d.Dispose();
        }
        _log.WriteLine($"slurm: stopped {_daemons.Count} daemon(s)");
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
