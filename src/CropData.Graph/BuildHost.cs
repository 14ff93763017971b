using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using CropData.Graph.Engine;
using CropData.Graph.Hosting;

namespace CropData.Graph;

/// <summary>Optional knobs for embedding the host (tests, other front ends).</summary>
public sealed class BuildHostSettings
{
    /// <summary>Where output goes; default the console. Setting it also stops Ctrl+C handling.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Spectre tables and progress bars; null = when stdout is a terminal and CI is unset.</summary>
    public bool? Interactive { get; init; }

    /// <summary>These task types instead of discovering the assemblies' tasks.</summary>
    public IReadOnlyList<Type>? Tasks { get; init; }

    /// <summary>Cancels the run like Ctrl+C: running units finish, no new unit or task starts.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Environment lookup for --shard=auto/N; default the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>Where errors and warnings go; default <see cref="Output"/> when that is set, else stderr.</summary>
    public TextWriter? Error { get; init; }
}

public static class BuildHost
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    private const string HashCacheFile = "hashes.bin";

    /// <summary>
    /// Discovers the task classes of <paramref name="taskAssemblies"/> (default: the entry assembly) whose context
    /// is <typeparamref name="TContext"/> or a base of it, parses the command line and runs. Exit code: 0 ok,
    /// 1 a task or unit failed (or another build holds the folder), 2 usage error.
    /// </summary>
    public static async Task<int> RunAsync<TContext>(string[] args, Func<BuildOptions, TContext> contextFactory, params Assembly[] taskAssemblies)
        where TContext : BuildContext =>
        (await ExecuteAsync(args, contextFactory, null, taskAssemblies).ConfigureAwait(false)).ExitCode;

    public static async Task<int> RunAsync<TContext>(string[] args, Func<BuildOptions, TContext> contextFactory, BuildHostSettings settings, params Assembly[] taskAssemblies)
        where TContext : BuildContext =>
        (await ExecuteAsync(args, contextFactory, settings, taskAssemblies).ConfigureAwait(false)).ExitCode;

    /// <summary>As <see cref="RunAsync{TContext}(string[], Func{BuildOptions, TContext}, Assembly[])"/>, returning what every task and unit did.</summary>
    public static async Task<BuildResult> ExecuteAsync<TContext>(string[] args, Func<BuildOptions, TContext> contextFactory,
        BuildHostSettings? settings, params Assembly[] taskAssemblies) where TContext : BuildContext
    {
        settings ??= new BuildHostSettings();
        bool json = args.Any(a => a is "--json" || a.StartsWith("--json=", StringComparison.Ordinal) && a != "--json=false");
        // With --json, stdout carries only the JSON document: everything a person reads goes to stderr.
        var stdout = settings.Output ?? Console.Out;
        var console = json
            ? HostConsole.Create(settings.Error ?? settings.Output ?? Console.Error, settings.Error, settings.Interactive ?? false)
            : HostConsole.Create(settings.Output, settings.Error, settings.Interactive);

        TaskGraph graph;
        try
        {
            var types = settings.Tasks ?? TaskGraph.Discover(taskAssemblies.Length > 0
                ? taskAssemblies
                : [Assembly.GetEntryAssembly() ?? throw new BuildUsageException("no task assembly given and no entry assembly")]);
            graph = TaskGraph.Build(typeof(TContext), types, settings.Tasks is not null);
            foreach (var node in graph.Tasks)
            {
                if (node.Type!.GetConstructor(Type.EmptyTypes) is null)
                    throw new BuildUsageException($"task '{node.Name}' ({node.Type.FullName}) needs a public parameterless constructor");
                node.Task = (IHostedTask)Activator.CreateInstance(node.Type)!;
            }
        }
        catch (BuildUsageException ex)
        {
            console.WriteError("error: " + ex.Message);
            return Stopped(ExitUsage, ex.Message);
        }

        var declared = DeclaredArguments(graph, typeof(TContext));
        BuildOptions options;
        try
        {
            options = BuildOptions.Parse(args, settings.Environment ?? System.Environment.GetEnvironmentVariable, declared.Select(d => d.Attribute).ToList());
        }
        catch (BuildUsageException ex)
        {
            foreach (var line in ex.Message.Split('\n')) console.WriteError("error: " + line);
            console.WriteError("Run ./build.sh --help for the options and targets.");
            return Stopped(ExitUsage, ex.Message);
        }
        var log = console.CreateLog(options.Verbosity);
        if (options.ShowHelp)
        {
            console.WriteLine(Help(graph, declared, typeof(TContext)));
            return new BuildResult { ExitCode = ExitOk };
        }
        if (options.ShowDescription)
        {
            PrintDescriptions(console, graph, declared);
            return new BuildResult { ExitCode = ExitOk };
        }

        var target = graph.Find(options.Target);
        if (target is null)
        {
            var near = BuildOptions.Suggest(options.Target, graph.TargetNames);
            string message = $"unknown target '{options.Target}'" + (near.Count > 0 ? $"; did you mean {string.Join(" or ", near)}?" : "") +
                             $" Valid targets: {string.Join(", ", graph.TargetNames)}";
            log.Error(message);
            return Stopped(ExitUsage, message);
        }
        var unknownForced = options.ForceTasks.Where(f => graph.Find(f) is null || graph.Find(f)!.Synthetic).ToList();
        if (unknownForced.Count > 0)
        {
            string message = $"--force names unknown task(s) {string.Join(", ", unknownForced)}. Valid tasks: {string.Join(", ", graph.Tasks.Select(t => t.Name))}";
            log.Error(message);
            return Stopped(ExitUsage, message);
        }
        if (options.ShowTree)
        {
            console.WriteLine(graph.Tree(target));
            return new BuildResult { ExitCode = ExitOk };
        }
        // An option one task reads is accepted only when that task runs: --from with --target=stats is a mistake.
        var runs = graph.ExecutionOrder(target, options.Exclusive).Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, _) in options.Arguments)
        {
            var owners = declared.Where(d => d.Task is not null && string.Equals(d.Attribute.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (owners.Count == 0 || owners.Any(o => runs.Contains(o.Task!))) continue;
            string message = $"--{name} is read by target {string.Join(" or ", owners.Select(o => o.Task))}, which '{target.Name}' does not run";
            log.Error(message);
            return Stopped(ExitUsage, message);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(settings.CancellationToken);
        ConsoleCancelEventHandler? onCancel = null;
        if (settings.Output is null)
        {
            onCancel = (_, e) =>
            {
                if (cts.IsCancellationRequested) return; // the second Ctrl+C ends the process
                e.Cancel = true;
                log.Warning("cancelling: running units finish, nothing new starts (Ctrl+C again to abort)");
                cts.Cancel();
            };
            Console.CancelKeyPress += onCancel;
        }
        try
        {
            options.HostLog = log;
            options.HostCancellation = cts.Token;
            TContext context;
            try
            {
                context = contextFactory(options);
            }
            catch (Exception ex)
            {
                // A configuration error (bad YAML, a key of the wrong type, a chip off the CDL): nothing has run.
                string message = MessageOf(ex);
                log.Error(message);
                log.Debug(ex.ToString());
                return Stopped(ExitUsage, message);
            }
            console.PathBase = context.DisplayRoot;
            if (log is TextBuildLog tl) tl.PathBase = context.DisplayRoot;
            else if (log is AnsiBuildLog al) al.PathBase = context.DisplayRoot;
            try
            {
                string stateDirectory = Path.GetFullPath(context.StateDirectory);
                var order = graph.ExecutionOrder(target, options.Exclusive);
                // --repair on a task with no dependencies (verify) first repairs the whole default build, then runs it.
                if (options.Repair && !options.Exclusive && target.Dependencies.Count == 0 && target != graph.Default)
                    order = [.. graph.ExecutionOrder(graph.Default, false).Where(t => t != target), target];
                var whole = graph.ExecutionOrder(graph.Default, false).ToHashSet();
                if (options.DryRun)
                {
                    var plan = await DryRunAsync(console, log, options, context, stateDirectory, target, order).ConfigureAwait(false);
                    if (options.Json) JsonReport.Write(stdout, plan, target.Name, dryRun: true);
                    return plan;
                }

                string folder = Path.GetDirectoryName(stateDirectory) ?? stateDirectory;
                BuildLock held;
                try
                {
                    held = BuildLock.Acquire(stateDirectory, folder, options.Shard);
                }
                catch (BuildLockedException ex)
                {
                    log.Error(ex.Message);
                    return Stopped(ExitFailed, ex.Message);
                }
                using (held)
                {
                    var result = await RunTasksAsync(console, log, options, context, stateDirectory, target, order, whole, cts.Token).ConfigureAwait(false);
                    if (options.Json) JsonReport.Write(stdout, result, target.Name, dryRun: false);
                    return result;
                }
            }
            finally
            {
                if (context is IAsyncDisposable ad) await ad.DisposeAsync().ConfigureAwait(false);
                else if (context is IDisposable d) d.Dispose();
            }
        }
        finally
        {
            if (onCancel is not null) Console.CancelKeyPress -= onCancel;
        }
    }

    private static BuildResult Stopped(int code, string error) => new() { ExitCode = code, Error = error };

    private const string NotNeeded = "not needed for this build";

    private static async Task<BuildResult> RunTasksAsync(HostConsole console, IBuildLog log, BuildOptions options, BuildContext context,
        string stateDirectory, TaskNode target, List<TaskNode> order, HashSet<TaskNode> whole, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        string root = Path.GetDirectoryName(stateDirectory) ?? stateDirectory;
        if (options.Shard is null)
        {
            // Leftovers of killed runs, whichever targets run now; under the build lock no one else writes here.
            foreach (var shared in context.SharedFolders) TempFiles.SweepAbandonedIn(shared);
            var swept = TempFiles.Sweep(root);
            if (swept.Count > 0)
                log.Information($"removed {swept.Count} temp file(s) left by an interrupted build: " +
                                string.Join(", ", swept.Take(3).Select(f => Path.GetRelativePath(root, f))) + (swept.Count > 3 ? ", ..." : ""));
        }
        // Until a build of the whole graph finishes without a failure, the dataset may disagree with its config:
        // verify refuses it. Runs that touch no unit (verify, clean, tools) leave the mark as it is.
        bool writes = order.Any(n => n.Task is IUnitTask);
        if (writes)
            BuildState.MarkIncomplete(stateDirectory, $"the build of target '{target.Name}' started by pid {System.Environment.ProcessId} did not finish");
        var hashes = HashCache.Load(Path.Combine(stateDirectory, HashCacheFile), log);
        var session = new BuildSession(options, log, console, stateDirectory, hashes, dryRun: false, context.PathRoots);
        context.Hashes = hashes;
        var results = new List<TaskSummary>();
        var failures = new List<UnitFailure>();
        var blocked = new Dictionary<TaskNode, string>();
        string? firstFailure = null;
        bool usage = false; // a task found the command line wrong (exit 2, like a parse error)
        var done = new HashSet<TaskNode>();
        bool marked = false;
        // The mark goes as soon as the whole default graph has run cleanly (verify after --repair then sees a finished dataset).
        void MarkIfWhole()
        {
            if (!writes || marked || failures.Count > 0 || firstFailure is not null || cancellation.IsCancellationRequested
                || options.Shard is not null || options.Exclusive || !whole.All(done.Contains))
                return;
            BuildState.MarkComplete(stateDirectory);
            marked = true;
        }
        log.Verbose($"target '{target.Name}': {string.Join(", ", order.Select(t => t.Name))}" +
                    (options.Shard is { } sh ? $" (shard {sh})" : "") + (options.Exclusive ? " (exclusive)" : ""));

        foreach (var node in order)
        {
            MarkIfWhole();
            var task = node.Task!;
            var taskClock = Stopwatch.StartNew();
            if (cancellation.IsCancellationRequested)
            {
                results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, TimeSpan.Zero, "cancelled"));
                blocked[node] = "cancelled";
                continue;
            }
            // make's rule: after a failure nothing more runs; with --keep-going (make -k) the unit tasks still run the
            // units that do not depend on it, but no aggregate or release step runs on a half-built dataset.
            if (firstFailure is not null && (!options.KeepGoing || task is not IUnitTask || task is IUnitTask { IsAggregate: true }))
            {
                string note = $"not run: {firstFailure} failed" + (options.KeepGoing ? "" : " (--keep-going runs what does not depend on it)");
                log.Warning($"{node.Name}: {note}");
                results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, TimeSpan.Zero, note));
                blocked[node] = "was not run";
                continue;
            }
            var failedDependency = node.Dependencies.FirstOrDefault(blocked.ContainsKey);
            if (failedDependency is not null)
            {
                string note = $"dependency '{failedDependency.Name}' {blocked[failedDependency]}";
                log.Warning($"{node.Name}: skipped, {note}");
                results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, TimeSpan.Zero, note));
                blocked[node] = "was skipped";
                continue;
            }
            log.Verbose($"==> {node.Name}");
            bool ran = false;
            try
            {
                if (!task.ShouldRun(context))
                {
                    log.Verbose($"{node.Name}: not needed for this build");
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, taskClock.Elapsed, NotNeeded));
                    continue;
                }
                if (options.Shard is not null && task is IUnitTask { IsAggregate: true })
                {
                    log.Information($"{node.Name}: skipped (aggregate task, not run inside a shard)");
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, taskClock.Elapsed, "aggregate task, not run inside a shard"));
                    continue;
                }
                ran = true;
                if (task is IUnitTask unitTask)
                {
                    var summary = await unitTask.ExecuteAsync(node.Name, context, session).ConfigureAwait(false);
                    results.Add(summary with { Elapsed = taskClock.Elapsed });
                    foreach (var u in summary.Units.Where(u => u.Status == UnitStatus.Failed))
                        failures.Add(new UnitFailure(node.Name, u.Id, u.Message ?? "failed"));
                    if (summary.Failed > 0 || summary.Skipped > 0 && summary.Units.Any(u => u.Reasons.Any(r => r.Kind is ReasonKind.UpstreamFailed or ReasonKind.Cancelled)))
                        firstFailure ??= node.Name;
                }
                else
                {
                    log.Information($"{node.Name}: running");
                    await task.RunAsync(context).ConfigureAwait(false);
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Ran, taskClock.Elapsed));
                }
            }
            catch (Exception ex)
            {
                string message = MessageOf(ex);
                log.Error($"{node.Name} failed: {message}");
                log.Debug(ex.ToString());
                failures.Add(new UnitFailure(node.Name, null, message));
                results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Failed, taskClock.Elapsed, message) with { IsUnitTask = task is IUnitTask });
                blocked[node] = "failed";
                firstFailure ??= node.Name;
                usage |= ex is BuildUsageException || ex.InnerException is BuildUsageException;
                try
                {
                    task.OnError(ex, context);
                }
                catch (Exception onError)
                {
                    log.Error($"{node.Name}: OnError threw: {onError.Message}");
                }
            }
            finally
            {
                done.Add(node);
                if (ran)
                {
                    try
                    {
                        task.Finally(context);
                    }
                    catch (Exception fin)
                    {
                        log.Error($"{node.Name}: Finally threw: {fin.Message}");
                        failures.Add(new UnitFailure(node.Name, null, "Finally: " + fin.Message));
                    }
                }
            }
        }
        hashes.SaveIfDirty();
        MarkIfWhole();
        if (writes && !marked)
            BuildState.MarkIncomplete(stateDirectory, cancellation.IsCancellationRequested ? $"the build of target '{target.Name}' was cancelled"
                : firstFailure is not null || failures.Count > 0 ? $"the build of target '{target.Name}' failed in {firstFailure ?? failures[0].Task}"
                : $"only part of the graph was built (target '{target.Name}'{(options.Exclusive ? ", --exclusive" : "")}{(options.Shard is { } sh2 ? $", shard {sh2}" : "")})");

        var warnings = session.Warnings.OrderBy(w => w.Task, StringComparer.Ordinal).ThenBy(w => w.UnitId, StringComparer.Ordinal).ToList();
        var result = new BuildResult
        {
            ExitCode = usage ? ExitUsage : failures.Count > 0 || cancellation.IsCancellationRequested ? ExitFailed : ExitOk,
            Tasks = results,
            Failures = failures,
            Warnings = warnings,
            FilesHashed = hashes.FilesHashed,
            BytesHashed = hashes.BytesHashed,
        };
        PrintSummary(console, options, result, clock.Elapsed, cancellation.IsCancellationRequested);
        log.Verbose(string.Create(CultureInfo.InvariantCulture, $"hashed {hashes.FilesHashed} files ({hashes.BytesHashed / 1e6:0.0} MB)")
            + (hashes.IsLoaded ? "" : "; hash cache not needed"));
        return result;
    }

    private static string MessageOf(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        if (ex is TargetInvocationException { InnerException: { } inner }) ex = inner;
        return ex.Message;
    }

    private static void PrintSummary(HostConsole console, BuildOptions options, BuildResult result, TimeSpan elapsed, bool cancelled)
    {
        var tasks = result.Tasks;
        if (options.Verbosity >= BuildVerbosity.Normal && tasks.Count > 0)
        {
            static string Count(TaskSummary t, int n) => t.IsUnitTask && t.Status is not TaskRunStatus.Skipped || n > 0
                ? n.ToString(CultureInfo.InvariantCulture) : "-";
            var rows = tasks.Select(t => new[]
            {
                t.Name, StatusText(t.Status), Count(t, t.Built), Count(t, t.UpToDate), Count(t, t.Failed), Count(t, t.Skipped),
                BuildResult.FormatTime(t.Elapsed),
            }).ToList();
            string Sum(Func<TaskSummary, int> f) => tasks.Sum(f).ToString(CultureInfo.InvariantCulture);
            var footer = new[] { "Total", "", Sum(t => t.Built), Sum(t => t.UpToDate), Sum(t => t.Failed), Sum(t => t.Skipped), BuildResult.FormatTime(elapsed) };
            console.WriteLine("");
            console.WriteTable(["Task", "Status", "Built", "Up to date", "Failed", "Skipped", "Time"],
                [false, false, true, true, true, true, true], rows, footer);
            foreach (var t in tasks.Where(t => t.Note is not null && t.Note != NotNeeded && t.Status != TaskRunStatus.Failed))
                console.WriteLine($"  {t.Name}: {StatusText(t.Status)} ({t.Note})");
        }
        if (result.Failures.Count > 0)
        {
            console.WriteError("");
            console.WriteError($"Failures ({result.Failures.Count}):");
            foreach (var f in result.Failures)
                console.WriteError($"  {f.Task}  {f.UnitId ?? "(task)"}  {f.Message}");
        }
        if (result.Warnings.Count > 0)
        {
            console.WriteError("");
            console.WriteError($"Warnings: {result.Warnings.Count}");
            if (options.Verbosity >= BuildVerbosity.Normal)
            {
                foreach (var w in result.Warnings.Take(20)) console.WriteError($"  {w.Task}  {w.UnitId}  {w.Message}");
                if (result.Warnings.Count > 20) console.WriteError($"  ... and {result.Warnings.Count - 20} more");
            }
        }
        if (cancelled) console.WriteError("Build cancelled.");
        else if (result.EverythingUpToDate) console.WriteLine("Everything is up to date.");
        else if (result.ExitCode != 0) console.WriteError($"Build failed: {result.Failures.Count} failure(s).");
        else if (options.Verbosity >= BuildVerbosity.Normal) console.WriteLine("Build succeeded.");
    }

    private static string StatusText(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Built => "built",
        TaskRunStatus.UpToDate => "up to date",
        TaskRunStatus.Ran => "ran",
        TaskRunStatus.Failed => "failed",
        TaskRunStatus.Skipped => "skipped",
        TaskRunStatus.WouldBuild => "would build",
        TaskRunStatus.Unknown => "unknown",
        _ => status.ToString(),
    };

    private static async Task<BuildResult> DryRunAsync(HostConsole console, IBuildLog log, BuildOptions options, BuildContext context,
        string stateDirectory, TaskNode target, List<TaskNode> order)
    {
        // Reads stamps and the hash cache but writes nothing and takes no lock, so it can watch a running build.
        var hashes = HashCache.Load(Path.Combine(stateDirectory, HashCacheFile), log);
        var session = new BuildSession(options, log, console, stateDirectory, hashes, dryRun: true, context.PathRoots);
        var results = new List<TaskSummary>();
        var failures = new List<UnitFailure>();
        console.WriteLine($"Dry run of target '{target.Name}'" + (options.Shard is { } sh ? $" (shard {sh})" : "") + ": nothing is executed.");
        foreach (var node in order)
        {
            var task = node.Task!;
            try
            {
                if (!task.ShouldRun(context))
                {
                    if (options.Verbosity >= BuildVerbosity.Verbose) console.WriteLine($"{node.Name}: not needed for this build");
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, TimeSpan.Zero, NotNeeded));
                    continue;
                }
                if (options.Shard is not null && task is IUnitTask { IsAggregate: true })
                {
                    console.WriteLine($"{node.Name}: skipped (aggregate task, not run inside a shard)");
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Skipped, TimeSpan.Zero, "aggregate task, not run inside a shard"));
                    continue;
                }
                if (task is not IUnitTask unitTask)
                {
                    console.WriteLine($"{node.Name}: would run (plain task)");
                    results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.WouldBuild, TimeSpan.Zero));
                    continue;
                }
                var summary = await unitTask.ExecuteAsync(node.Name, context, session).ConfigureAwait(false);
                results.Add(summary);
                PrintPlan(console, options, summary);
            }
            catch (Exception ex)
            {
                string message = MessageOf(ex);
                console.WriteLine($"{node.Name}: cannot be planned: {message}");
                failures.Add(new UnitFailure(node.Name, null, message));
                results.Add(TaskSummary.Plain(node.Name, TaskRunStatus.Failed, TimeSpan.Zero, message));
            }
        }
        return new BuildResult
        {
            ExitCode = failures.Count > 0 ? ExitFailed : ExitOk, Tasks = results, Failures = failures,
            FilesHashed = hashes.FilesHashed, BytesHashed = hashes.BytesHashed,
        };
    }

    private static void PrintPlan(HostConsole console, BuildOptions options, TaskSummary summary)
    {
        string name = summary.Name;
        if (summary.Status == TaskRunStatus.Unknown)
        {
            console.WriteLine($"{name}: units unknown until upstream tasks run");
            return;
        }
        int total = summary.Units.Count;
        int may = summary.Units.Count(JsonReport.MayBuildOnly);
        console.WriteLine(summary.WouldBuild == 0 && summary.Failed == 0
            ? $"{name}: all {total} units up to date"
            : $"{name}: {summary.WouldBuild - may} of {total} units would build" + (may > 0 ? $", {may} may rebuild (early cutoff decides)" : "") +
              $", {summary.UpToDate} up to date");
        // A unit counts once under each kind of reason it has, so every changed config key and file shows.
        var groups = summary.Units
            .Where(u => u.Status == UnitStatus.WouldBuild)
            .SelectMany(u => u.Reasons.GroupBy(r => r.Kind).Select(g => (Kind: g.Key, Text: g.First().KindText, Details: g.Select(r => r.Detail))))
            .GroupBy(x => x.Kind)
            .OrderBy(g => g.Key);
        foreach (var g in groups)
        {
            var details = g.SelectMany(x => x.Details).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            string list = details.Count == 0 ? ""
                : ": " + string.Join(", ", details.Take(5)) + (details.Count > 5 ? $", ... ({details.Count - 5} more)" : "");
            console.WriteLine($"    {g.Count()} {g.First().Text}{list}");
        }
        foreach (var u in summary.Units.Where(u => u.Status == UnitStatus.Failed))
            console.WriteLine($"    {u.Id} cannot be planned: {u.Message}");
        if (summary.Removed > 0)
            console.WriteLine($"    {summary.Removed} stale unit(s) would be removed");
        if (options.Verbosity >= BuildVerbosity.Verbose)
            foreach (var u in summary.Units.Where(u => u.Status == UnitStatus.WouldBuild))
                console.WriteLine($"      {u.Id}: {u.ReasonText}");
    }

    private sealed record Declared(TaskArgumentAttribute Attribute, string? Task);

    /// <summary>Options the tasks of the graph declare (<see cref="TaskArgumentAttribute"/>), and those of the context class (any target).</summary>
    private static List<Declared> DeclaredArguments(TaskGraph graph, Type contextType)
    {
        var list = contextType.GetCustomAttributes<TaskArgumentAttribute>(inherit: true).Select(a => new Declared(a, null)).ToList();
        foreach (var t in graph.Tasks.Where(t => t.Type is not null))
            list.AddRange(t.Type!.GetCustomAttributes<TaskArgumentAttribute>(inherit: true).Select(a => new Declared(a, t.Name)));
        return list;
    }

    private static string Help(TaskGraph graph, List<Declared> declared, Type contextType)
    {
        var lines = new List<string>
        {
            "Usage: ./build.sh [--target=NAME] [options]     (build.ps1 on PowerShell; the host: dotnet cropdata.dll)",
            "",
            BuildOptions.OptionsHelp(declared.Select(d => d.Attribute).ToList()),
            "",
            "Targets (* = default; --description says what each does and which options it reads):",
            "  " + string.Join(", ", graph.TargetNames.Select(n => graph.Find(n) == graph.Default ? n + "*" : n)),
        };
        foreach (var note in contextType.GetCustomAttributes<BuildHelpAttribute>(inherit: true)) { lines.Add(""); lines.Add(note.Text); }
        return string.Join("\n", lines);
    }

    private static void PrintDescriptions(HostConsole console, TaskGraph graph, List<Declared> declared)
    {
        var rows = graph.Tasks.Select(t => (t.Name, Text: t.Description ?? "", IsDefault: t == graph.Default)).ToList();
        if (graph.Default.Synthetic) rows.Add((graph.Default.Name, "builds every task", true));
        rows.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        int width = rows.Max(r => r.Name.Length);
        console.WriteLine("Tasks (* = default target):");
        foreach (var (name, text, isDefault) in rows)
        {
            console.WriteLine($"{(isDefault ? "*" : " ")} {name.PadRight(width)}  {text}".TrimEnd());
            foreach (var d in declared.Where(d => d.Task == name))
                console.WriteLine($"  {new string(' ', width)}    --{d.Attribute.Name}{(d.Attribute.Value.Length > 0 ? "=" + d.Attribute.Value : "")}  {d.Attribute.Description}");
        }
    }
}
