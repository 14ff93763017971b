using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace CropData.Graph.Engine;

/// <summary>
/// Plans, runs and stamps the units of one unit task. A unit is up to date when its stamp holds the same
/// fingerprint (SHA-256 over the task version, each input's path and content hash, the values of the config
/// keys it reads and its declared outputs) and every output it recorded still has the recorded hash. Content
/// hashes rather than mtimes give early cutoff: a rebuilt upstream unit whose bytes come out identical leaves
/// its dependants up to date.
/// </summary>
internal static class UnitEngine<TContext, TUnit> where TContext : BuildContext
{
    private sealed class Plan
    {
        public required TUnit Unit { get; init; }
        public required string Id { get; init; }
        public string[] Inputs = [];
        public string[] Outputs = [];
        /// <summary>Declared output folders (full paths, no trailing separator).</summary>
        public string[] Trees = [];
        public string[] InputDisplay = [];
        public string[] OutputDisplay = [];
        /// <summary>What the stamp records as declared: the outputs, then each folder as "path/".</summary>
        public string[] DeclaredDisplay = [];
        public string?[] InputHashes = [];
        public FileStamp[] InputStats = [];
        public bool[] InputTrusted = [];
        public SortedDictionary<string, string?> Config = new(StringComparer.Ordinal);
        public Stamp? Old;
        public FileStamp OldFile;
        public Stamp? New;
        /// <summary>Up to date, and this run could vouch for stats the stamp left at 0 (or that changed with the same bytes).</summary>
        public Stamp? Refreshed;
        /// <summary>Found up to date by the index alone (no JSON read, no hash).</summary>
        public IndexEntry? Indexed;
        public FileStamp NewFile;
        public bool StampTouched;
        public readonly List<BuildReason> Reasons = [];
        public UnitStatus Status;
        public string? Message;
        public TimeSpan Elapsed;
    }

    public static async Task<TaskSummary> ExecuteAsync(UnitTask<TContext, TUnit> task, string name, TContext ctx, BuildSession s)
    {
        var clock = Stopwatch.StartNew();
        List<TUnit> units;
        try
        {
            using (ctx.DeclareConfigReads(name, ReadableKeys(task, DeclaredKeys(task))))
                units = (task.Units(ctx) ?? []).ToList();
        }
        catch (Exception ex) when (s.DryRun)
        {
            return new TaskSummary(name, TaskRunStatus.Unknown, true, 0, 0, 0, 0, 0, 0, clock.Elapsed,
                "units unknown until upstream tasks run (" + ex.Message + ")", []);
        }

        var plans = new List<Plan>(units.Count);
        var allIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            string id = task.UnitId(unit);
            if (string.IsNullOrEmpty(id)) throw new InvalidOperationException($"task '{name}': UnitId returned an empty id for unit {unit}");
            if (!allIds.Add(id)) throw new InvalidOperationException($"task '{name}': two units have the id '{id}'");
            plans.Add(new Plan { Unit = unit, Id = id });
        }
        if (s.Options.Shard is { } shard)
            plans = plans.Where(p => task.ShardKey(p.Unit) is not { } key || shard.Contains(key)).ToList();

        s.Log.Debug($"{name}: {plans.Count} units listed in {clock.ElapsedMilliseconds} ms");
        string version = task.Version ?? "";
        bool forced = s.Options.IsForced(name);
        var config = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        var stamps = new StampLookup(name, s);
        Parallel.For(0, plans.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => PlanUnit(task, name, ctx, s, plans[i], version, forced, config, stamps));

        s.Log.Debug($"{name}: planned by {clock.ElapsedMilliseconds} ms ({plans.Count(p => p.Indexed is not null)} up to date by the index, {stamps.FilesRead} stamps read)");
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in plans)
            foreach (var o in p.Outputs)
                if (!owners.TryAdd(o, p.Id))
                    throw new InvalidOperationException($"task '{name}': output {s.Display(o)} is declared by units '{owners[o]}' and '{p.Id}'");
        s.Owners = owners;

        // Stale units can only be told apart from units of other shards when the whole unit set was planned.
        bool complete = s.Options.Shard is null && !s.Options.Exclusive;
        var stale = complete ? FindStale(name, allIds, stamps.Listing, s) : [];
        s.Log.Debug($"{name}: outputs and stale stamps checked by {clock.ElapsedMilliseconds} ms");

        if (s.DryRun)
        {
            foreach (var p in plans.Where(p => p.Status == UnitStatus.WouldBuild))
            {
                foreach (var o in p.Outputs)
                    s.PlannedOutputs[o] = name + "/" + p.Id;
                foreach (var t in p.Trees)
                    s.PlannedFolders[t + Path.DirectorySeparatorChar] = name + "/" + p.Id;
            }
            return Summarize(name, plans, stale.Count, clock.Elapsed, dryRun: true);
        }

        foreach (var p in plans.Where(p => p.Status is UnitStatus.Failed or UnitStatus.Skipped))
            Poison(s, name, p);
        foreach (var p in plans.Where(p => p.Status == UnitStatus.Failed))
            s.Log.Error($"{name}: unit {p.Id} failed: {p.Message}");
        ReportNotRun(name, plans, s);

        if (stale.Count > 0) RemoveStale(name, stale, owners, s);

        var toRun = plans.Where(p => p.Status == UnitStatus.WouldBuild).ToList();
        int upToDate = plans.Count(p => p.Status == UnitStatus.UpToDate);
        if (toRun.Count > 0)
        {
            s.Log.Information($"{name}: {toRun.Count} of {plans.Count} units to build ({upToDate} up to date)");
            int dop = Math.Clamp(task.MaxParallelism(ctx), 1, toRun.Count);
            s.Log.Debug($"{name}: {dop} units at a time");
            await s.Console.RunWithProgressAsync(name, toRun.Count, s.Log,
                tick => RunWorkers(toRun, dop, p => RunUnitAsync(task, name, ctx, s, p, version), tick)).ConfigureAwait(false);
        }
        else
        {
            s.Log.Information($"{name}: {plans.Count} units up to date");
        }
        s.Hashes.SaveIfDirty();
        SaveIndex(name, plans, stale, stamps, s);
        // The gather step builds dataset-wide tables from every unit's outputs: never from a half-built stage, and
        // never inside a shard (merge writes the tables from all shards). An exception fails the task.
        string? gatherNote = null;
        if (s.Options.Shard is null)
        {
            if (plans.Any(p => p.Status is UnitStatus.Failed or UnitStatus.Skipped))
            {
                gatherNote = "its tables were not updated: some units failed or were not run";
                s.Log.Warning($"{name}: {gatherNote}");
            }
            else Gather(task, name, ctx, s, units);
        }
        return Summarize(name, plans, stale.Count, clock.Elapsed, dryRun: false) with { Note = gatherNote };
    }

    /// <summary>
    /// One line per failed producer for the units that could not run because of it, instead of one error per unit:
    /// "28 reproject units not run: cids/HLS.S30... failed: ...".
    /// </summary>
    private static void ReportNotRun(string name, List<Plan> plans, BuildSession s)
    {
        var groups = plans.Where(p => p.Status == UnitStatus.Skipped)
            .Select(p => (Plan: p, Producer: p.Reasons.Where(r => r.Kind == ReasonKind.UpstreamFailed).Select(r => r.Detail).FirstOrDefault()))
            .Where(x => x.Producer is not null)
            .GroupBy(x => ProducerOf(x.Producer!), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var g in groups)
        {
            string why = s.Failures.TryGetValue(g.Key, out var m) ? m : "was not run";
            foreach (var x in g) s.Failures.TryAdd(name + "/" + x.Plan.Id, $"not run: {g.Key} {why}");
            s.Log.Error($"{g.Count()} {name} unit{(g.Count() == 1 ? "" : "s")} not run: {g.Key} {why}");
        }
    }

    // The reason's detail reads "<input> (unit <task/unit>)".
    private static string ProducerOf(string detail)
    {
        int at = detail.LastIndexOf("(unit ", StringComparison.Ordinal);
        return at < 0 ? detail : detail[(at + 6)..].TrimEnd(')');
    }

    /// <summary>
    /// Runs the task's gather step with an open <see cref="UnitOutputs"/> and commits what it wrote like a unit's
    /// outputs; its stamp (under the task's ".gather" stamp folder) records the files, so the engine owns them and
    /// deletes a file the previous gather wrote and this one did not.
    /// </summary>
    private static void Gather(UnitTask<TContext, TUnit> task, string name, TContext ctx, BuildSession s, List<TUnit> units)
    {
        string stampTask = GatherStampTask(name);
        var outputs = new UnitOutputs(name, GatherUnit, [], open: true, onWarn: w =>
        {
            s.Warnings.Enqueue(new UnitWarning(name, GatherUnit, w));
            s.Log.Warning($"{name}: {w}");
        });
        try
        {
            // No declared scope: the gather step runs on every build, so it reads the config as it is now.
            task.Gather(ctx, units, outputs);
        }
        catch
        {
            outputs.DeleteTemps();
            throw;
        }
        var old = s.Stamps.Read(stampTask, GatherUnit);
        var written = outputs.Written;
        var moves = new List<(string Temp, string Final, StampFile Entry)>();
        var discard = new List<string>();
        var produced = written.Select(f => Place(s, outputs.TempFor(f)!, f, s.Display(f), FromBytes(s, name), moves, discard)).ToList();
        MoveIntoPlace(s, moves, discard);
        var now = new HashSet<string>(written, StringComparer.Ordinal);
        foreach (var o in old?.Outputs ?? [])
        {
            string full = s.FromDisplay(o.Path);
            if (now.Contains(full) || !File.Exists(full)) continue;
            File.Delete(full);
            s.Hashes.Forget(full);
            s.Log.Verbose($"{name}: deleted {o.Path} (no longer gathered)");
        }
        bool same = old is not null && old.Outputs.Count == produced.Count
            && old.Outputs.Zip(produced).All(x => x.First.Path == x.Second.Path && x.First.Sha256 == x.Second.Sha256
                                                   && x.First.Size == x.Second.Size && x.First.Mtime == x.Second.Mtime);
        if (!same)
            s.Stamps.Write(new Stamp { Task = stampTask, Unit = GatherUnit, Version = task.Version ?? "", Outputs = produced,
                Declared = [.. produced.Select(f => f.Path)] });
    }

    internal const string GatherUnit = "gather";

    private static IReadOnlyList<string> DeclaredKeys(UnitTask<TContext, TUnit> task) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<ReadsConfigAttribute>(task.GetType())?.Keys ?? [];

    /// <summary>What the task's calls may read: its fingerprinted keys and those it only uses (<see cref="UsesConfigAttribute"/>).</summary>
    private static IReadOnlyCollection<string> ReadableKeys(UnitTask<TContext, TUnit> task, IEnumerable<string> fingerprinted) =>
        [.. fingerprinted, .. System.Reflection.CustomAttributeExtensions.GetCustomAttribute<UsesConfigAttribute>(task.GetType())?.Keys ?? []];

    /// <summary>The gather step's stamp lives in its own folder, apart from the units' (where it would look stale).</summary>
    internal static string GatherStampTask(string task) => task + ".gather";

    private static void PlanUnit(UnitTask<TContext, TUnit> task, string name, TContext ctx, BuildSession s, Plan p,
        string version, bool forced, ConcurrentDictionary<string, string?> config, StampLookup stamps)
    {
        UnitSpec spec;
        try
        {
            using (ctx.DeclareConfigReads(name, ReadableKeys(task, DeclaredKeys(task))))
                spec = task.Describe(p.Unit, ctx) ?? throw new InvalidOperationException("Describe returned null");
            p.Inputs = spec.Inputs.Select(Path.GetFullPath).ToArray();
            p.Outputs = spec.Outputs.Select(Path.GetFullPath).ToArray();
            p.Trees = spec.OutputFolders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToArray();
        }
        catch (Exception ex)
        {
            p.Status = UnitStatus.Failed;
            p.Message = "Describe failed: " + ex.Message;
            return;
        }
        p.OutputDisplay = Array.ConvertAll(p.Outputs, s.Display);
        p.DeclaredDisplay = p.Trees.Length == 0 ? p.OutputDisplay : [.. p.OutputDisplay, .. p.Trees.Select(t => s.Display(t) + "/")];

        for (int i = 0; i < p.Inputs.Length; i++)
        {
            if (s.Poisoned.TryGetValue(p.Inputs[i], out var producer))
            {
                p.Status = UnitStatus.Skipped;
                p.Reasons.Add(new BuildReason(ReasonKind.UpstreamFailed, $"{s.Display(p.Inputs[i])} (unit {producer})"));
                return;
            }
        }

        foreach (var key in DeclaredKeys(task).Concat(spec.ConfigKeys))
            p.Config[key] = config.GetOrAdd(key, ctx.ConfigValue);

        // Forced units and --repair look at bytes, never at the size+mtime shortcuts (the index, stamps, hash cache).
        bool fromBytes = FromBytes(s, name);
        if (!fromBytes && p.Trees.Length == 0 && stamps.TryIndex(p.Id, out var entry) && IndexSaysUpToDate(entry, p, version, s))
        {
            p.Status = UnitStatus.UpToDate;
            p.Indexed = entry;
            return;
        }
        p.InputDisplay = Array.ConvertAll(p.Inputs, s.Display);

        var reasons = p.Reasons;
        if (forced) reasons.Add(new BuildReason(ReasonKind.Forced));
        var old = stamps.Read(p.Id, out p.OldFile);
        p.Old = old;

        int n = p.Inputs.Length;
        p.InputHashes = new string?[n];
        p.InputStats = new FileStamp[n];
        p.InputTrusted = new bool[n];
        var missing = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (FileStat.Of(p.Inputs[i]) is not { } stat)
            {
                missing.Add(i);
                continue;
            }
            p.InputStats[i] = stat;
            // The stamp recorded the size and mtime its hash was trusted for: equal stat, same bytes, no cache
            // lookup. This is what makes a no-op check cost one stat per file.
            if (fromBytes)
            {
                p.InputHashes[i] = s.Hashes.HashFromBytes(p.Inputs[i], out p.InputTrusted[i]);
                if (p.InputHashes[i] is null) missing.Add(i);
            }
            else if (old is not null && i < old.Inputs.Count && old.Inputs[i] is { Mtime: not 0 } f
                && f.Size == stat.Size && f.Mtime == stat.MtimeTicks && f.Path == p.InputDisplay[i])
            {
                p.InputHashes[i] = f.Sha256;
                p.InputTrusted[i] = true;
            }
            else
            {
                p.InputHashes[i] = s.Hashes.TryGetHash(p.Inputs[i], stat, out p.InputTrusted[i]);
                if (p.InputHashes[i] is null) missing.Add(i);
            }
        }

        if (old is null)
        {
            reasons.Add(new BuildReason(ReasonKind.New));
        }
        else if (!SameRecipe(old, version, p))
        {
            int before = reasons.Count;
            if (old.Version != version)
                reasons.Add(new BuildReason(ReasonKind.TaskVersionChanged, $"{old.Version} -> {version}"));
            foreach (var key in old.Config.Keys.Union(p.Config.Keys).Order(StringComparer.Ordinal))
            {
                bool had = old.Config.TryGetValue(key, out var was);
                bool has = p.Config.TryGetValue(key, out var now);
                if (had != has || was != now) reasons.AddRange(ConfigDiff.Reasons(key, had ? was : null, has ? now : null));
            }
            var oldInputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var f in old.Inputs) oldInputs.TryAdd(f.Path, f.Sha256);
            var current = new HashSet<string>(p.InputDisplay, StringComparer.Ordinal);
            for (int i = 0; i < p.Inputs.Length; i++)
            {
                if (!oldInputs.TryGetValue(p.InputDisplay[i], out var sha))
                    reasons.Add(new BuildReason(ReasonKind.InputChanged, p.InputDisplay[i] + " (added)"));
                else if (p.InputHashes[i] is { } h && h != sha)
                    reasons.Add(new BuildReason(ReasonKind.InputChanged, p.InputDisplay[i]));
            }
            foreach (var f in old.Inputs.Where(f => !current.Contains(f.Path)))
                reasons.Add(new BuildReason(ReasonKind.InputChanged, f.Path + " (removed)"));
            if (!old.Declared.SequenceEqual(p.DeclaredDisplay, StringComparer.Ordinal))
                reasons.Add(new BuildReason(ReasonKind.DeclaredOutputsChanged));
            if (reasons.Count == before && missing.Count == 0)
                reasons.Add(new BuildReason(ReasonKind.InputChanged, "order of inputs"));
        }

        foreach (int i in missing)
        {
            if (s.DryRun && s.WillBeWritten(p.Inputs[i]))
            {
                reasons.Add(new BuildReason(ReasonKind.UpstreamWillBuild, p.InputDisplay[i]));
            }
            else
            {
                if (!s.DryRun && s.FirstFailure is { } upstream)
                {
                    // After a failure upstream (--keep-going), a missing input is most likely what it did not make:
                    // the unit is not run and counted under that failure, not reported as one more error.
                    p.Status = UnitStatus.Skipped;
                    p.Reasons.Clear();
                    p.Reasons.Add(new BuildReason(ReasonKind.UpstreamFailed, $"{p.InputDisplay[i]} missing (unit {upstream})"));
                    return;
                }
                reasons.Add(new BuildReason(ReasonKind.InputMissing, p.InputDisplay[i]));
                if (!s.DryRun)
                {
                    p.Status = UnitStatus.Failed;
                    p.Message ??= "input file not found: " + p.Inputs[i];
                }
            }
        }
        if (p.Status == UnitStatus.Failed) return;

        if (s.DryRun)
        {
            for (int i = 0; i < p.Inputs.Length; i++)
                if (p.InputHashes[i] is not null && s.WillBeWritten(p.Inputs[i]))
                    reasons.Add(new BuildReason(ReasonKind.UpstreamWillBuild, p.InputDisplay[i]));
        }

        FileStamp?[]? outputStats = null;
        bool refresh = false;
        if (reasons.Count == 0 && old is not null)
        {
            outputStats = new FileStamp?[old.Outputs.Count];
            for (int i = 0; i < old.Outputs.Count; i++)
            {
                var o = old.Outputs[i];
                string full = s.FromDisplay(o.Path);
                if (FileStat.Of(full) is not { } stat)
                {
                    reasons.Add(new BuildReason(ReasonKind.OutputMissing, o.Path));
                    continue;
                }
                if (!fromBytes && o.Mtime != 0 && o.Size == stat.Size && o.Mtime == stat.MtimeTicks) continue;
                bool trusted;
                string? h = fromBytes ? s.Hashes.HashFromBytes(full, out trusted) : s.Hashes.TryGetHash(full, stat, out trusted);
                if (h is null) reasons.Add(new BuildReason(ReasonKind.OutputMissing, o.Path));
                else if (h != o.Sha256) reasons.Add(new BuildReason(ReasonKind.OutputChanged, o.Path));
                else if (trusted) { outputStats[i] = stat; refresh = true; }
            }
            // A file in an output folder that the unit did not produce: the folder is not what the unit made.
            if (p.Trees.Length > 0)
            {
                var recorded = new HashSet<string>(old.Outputs.Select(o => o.Path), StringComparer.Ordinal);
                foreach (var tree in p.Trees.Where(Directory.Exists))
                    foreach (var file in FilesUnder(tree))
                        if (!recorded.Contains(s.Display(file)) && !TempFiles.IsLeftover(Path.GetFileName(file)))
                            reasons.Add(new BuildReason(ReasonKind.OutputChanged, s.Display(file) + " (not produced by the unit)"));
            }
        }
        p.Status = reasons.Count == 0 ? UnitStatus.UpToDate : UnitStatus.WouldBuild;
        if (p.Status == UnitStatus.UpToDate && old is not null)
        {
            for (int i = 0; i < n && !refresh; i++)
                refresh = p.InputTrusted[i] && (old.Inputs[i].Mtime != p.InputStats[i].MtimeTicks || old.Inputs[i].Size != p.InputStats[i].Size);
            if (refresh) p.Refreshed = Refresh(old, p, outputStats!);
        }
    }

    /// <summary>
    /// A copy of an up-to-date unit's stamp vouching for the stats this run could trust, for the index only:
    /// the JSON stays as built (a no-op run rewrites nothing), but the next check need not hash those files.
    /// </summary>
    private static Stamp Refresh(Stamp old, Plan p, FileStamp?[] outputStats)
    {
        var copy = new Stamp
        {
            Format = old.Format, Task = old.Task, Unit = old.Unit, Version = old.Version, Fingerprint = old.Fingerprint,
            Config = old.Config, Declared = old.Declared,
            Inputs = old.Inputs.Select((f, i) => p.InputTrusted[i]
                ? new StampFile { Path = f.Path, Sha256 = f.Sha256, Size = p.InputStats[i].Size, Mtime = p.InputStats[i].MtimeTicks }
                : f).ToList(),
            Outputs = old.Outputs.Select((f, i) => outputStats[i] is { } st
                ? new StampFile { Path = f.Path, Sha256 = f.Sha256, Size = st.Size, Mtime = st.MtimeTicks }
                : f).ToList(),
        };
        return copy;
    }

    /// <summary>
    /// Field by field, what the fingerprint covers (version, inputs with their hashes in order, config values,
    /// declared outputs): equal fields mean equal fingerprints, and comparing them skips hashing on a no-op.
    /// </summary>
    private static bool SameRecipe(Stamp old, string version, Plan p)
    {
        if (old.Version != version || old.Inputs.Count != p.Inputs.Length || old.Config.Count != p.Config.Count
            || old.Declared.Count != p.DeclaredDisplay.Length)
            return false;
        for (int i = 0; i < p.Inputs.Length; i++)
            if (p.InputHashes[i] is not { } h || old.Inputs[i].Sha256 != h || old.Inputs[i].Path != p.InputDisplay[i])
                return false;
        foreach (var (key, value) in p.Config)
            if (!old.Config.TryGetValue(key, out var was) || was != value)
                return false;
        for (int i = 0; i < p.DeclaredDisplay.Length; i++)
            if (old.Declared[i] != p.DeclaredDisplay[i])
                return false;
        return true;
    }

    /// <summary>
    /// The no-op fast path: every input and output still has the size and mtime the stamp vouched for, and the
    /// version, config values, declared outputs and input paths are the same, so the recipe and the outputs are
    /// the stamp's. Anything else (including a dry run's pending upstream rebuilds) takes the full path.
    /// </summary>
    private static bool IndexSaysUpToDate(IndexEntry e, Plan p, string version, BuildSession s)
    {
        if (e.Version != version || e.Inputs.Length != p.Inputs.Length || e.Config.Length != p.Config.Count
            || e.Declared.Length != p.OutputDisplay.Length)
            return false;
        for (int i = 0; i < e.Declared.Length; i++)
            if (e.Declared[i] != p.OutputDisplay[i]) return false;
        int c = 0;
        foreach (var (key, value) in p.Config)
        {
            if (e.Config[c].Key != key || e.Config[c].Value != value) return false;
            c++;
        }
        if (s.DryRun && (!s.PlannedOutputs.IsEmpty || !s.PlannedFolders.IsEmpty) && p.Inputs.Any(s.WillBeWritten)) return false;
        if (!e.SamePaths(p.Inputs, s)) return false;
        for (int i = 0; i < p.Inputs.Length; i++)
            if (e.Inputs[i].MtimeTicks == 0 || FileStat.Of(p.Inputs[i]) != e.Inputs[i]) return false;
        foreach (var (path, stat) in e.Outputs)
            if (stat.MtimeTicks == 0 || FileStat.Of(s.FromDisplay(path)) != stat) return false;
        return true;
    }

    /// <summary>Stamps of one task: the folder listing, the index, and the JSON files when the index is behind.</summary>
    private sealed class StampLookup(string task, BuildSession s)
    {
        public Dictionary<string, FileStamp> Listing { get; } = s.Stamps.List(task);
        public Dictionary<string, IndexEntry> Index { get; } = StampIndex.Load(StampIndex.PathFor(s.StateDirectory, task));
        private int _filesRead;

        public int FilesRead => Volatile.Read(ref _filesRead);

        /// <summary>The index entry, if the unit's JSON stamp still has the size and mtime it was indexed with.</summary>
        public bool TryIndex(string unitId, out IndexEntry entry)
        {
            entry = null!;
            return Listing.TryGetValue(StampStore.SafeFileName(unitId) + ".json", out var file)
                && Index.TryGetValue(unitId, out entry!) && entry.File == file;
        }

        public Stamp? Read(string unitId, out FileStamp file)
        {
            if (!Listing.TryGetValue(StampStore.SafeFileName(unitId) + ".json", out file)) return null;
            Interlocked.Increment(ref _filesRead);
            return s.Stamps.Read(task, unitId);
        }
    }

    private static void SaveIndex(string name, List<Plan> plans, List<(string File, Stamp? Stamp)> stale, StampLookup stamps, BuildSession s)
    {
        // Units outside this run (other shards) keep their entries while their files are unchanged.
        var next = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        foreach (var (unit, entry) in stamps.Index)
            if (stamps.Listing.TryGetValue(StampStore.SafeFileName(unit) + ".json", out var file) && file == entry.File)
                next[unit] = entry;
        bool changed = false;
        foreach (var p in plans)
        {
            if (p.New is not null) next[p.Id] = IndexEntry.From(p.New, p.NewFile);
            else if (p.Indexed is not null) next[p.Id] = p.Indexed;
            else if (p.Old is not null && !p.StampTouched) next[p.Id] = IndexEntry.From(p.Refreshed ?? p.Old, p.OldFile);
            else next.Remove(p.Id);
        }
        foreach (var (_, stamp) in stale)
            if (stamp is not null) next.Remove(stamp.Unit);
        changed |= next.Count != stamps.Index.Count || next.Any(kv => !stamps.Index.TryGetValue(kv.Key, out var was) || !was.SameAs(kv.Value));
        if (changed) StampIndex.Save(StampIndex.PathFor(s.StateDirectory, name), next.Values);
    }

    internal static string Fingerprint(string version, string[] inputs, string?[] hashes, SortedDictionary<string, string?> config, string[] outputs)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sb = new StringBuilder(256 + inputs.Length * 128);
        sb.Append("cropdata-unit-v1\nversion\0").Append(version).Append('\n');
        for (int i = 0; i < inputs.Length; i++)
            sb.Append("in\0").Append(inputs[i]).Append('\0').Append(hashes[i] ?? "missing").Append('\n');
        foreach (var (key, value) in config)
            sb.Append("cfg\0").Append(key).Append('\0').Append(value is null ? "\u0001unset" : value).Append('\n');
        foreach (var o in outputs)
            sb.Append("out\0").Append(o).Append('\n');
        h.AppendData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static async Task RunUnitAsync(UnitTask<TContext, TUnit> task, string name, TContext ctx, BuildSession s, Plan p, string version)
    {
        if (ctx.CancellationToken.IsCancellationRequested)
        {
            p.Status = UnitStatus.Skipped;
            p.Reasons.Add(new BuildReason(ReasonKind.Cancelled));
            Poison(s, name, p);
            return;
        }
        var outputs = new UnitOutputs(name, p.Id, p.Outputs, p.Trees, onWarn: w =>
        {
            s.Warnings.Enqueue(new UnitWarning(name, p.Id, w));
            s.Log.Warning($"{name}/{p.Id}: {w}");
        });
        var before = Array.ConvertAll(p.Outputs, FileStat.Of);
        var clock = Stopwatch.StartNew();
        // Output folders may be shared by the datasets of one data folder: one writer at a time, and its own
        // leftovers (a killed writer's temp folder) removed under the same lock.
        var locks = p.Trees.Order(StringComparer.Ordinal).Select(t => FolderLock.Acquire(t, s.Log, ctx.CancellationToken)).ToList();
        try
        {
            foreach (var tree in p.Trees) TempFiles.SweepAbandoned(tree);
            using (ctx.DeclareConfigReads(name, ReadableKeys(task, p.Config.Keys)))
                await task.RunAsync(p.Unit, ctx, outputs).ConfigureAwait(false);
            Commit(name, s, p, outputs, before, version);
            p.Status = UnitStatus.Built;
            s.Log.Verbose($"{name}: built {p.Id} in {BuildResult.FormatTime(clock.Elapsed)}; reason: {string.Join("; ", p.Reasons)}");
        }
        catch (Exception ex)
        {
            outputs.DeleteTemps();
            p.Status = UnitStatus.Failed;
            p.Message = ex is OperationCanceledException && ctx.CancellationToken.IsCancellationRequested ? "cancelled" : MessageOf(ex);
            Poison(s, name, p);
            s.Log.Error($"{name}: unit {p.Id} failed: {p.Message}");
            s.Log.Debug(ex.ToString());
        }
        finally
        {
            foreach (var l in locks) l.Dispose();
            p.Elapsed = clock.Elapsed;
        }
    }

    /// <summary>
    /// Puts a finished unit's outputs in place. The old stamp goes first and the new one is written last, so a
    /// crash anywhere in between leaves no stamp and the unit rebuilds. An output whose new bytes equal the
    /// file already there is left untouched (its mtime too), as ninja's "restat" does; a forced unit compares with
    /// the bytes on disk, never with the hash cache. Outputs the unit's previous stamp recorded and that it no
    /// longer declares are deleted: the engine, not the task, keeps the dataset equal to what units declare.
    /// </summary>
    private static void Commit(string name, BuildSession s, Plan p, UnitOutputs outputs, FileStamp?[] before, string version)
    {
        bool fromBytes = FromBytes(s, name);
        var produced = new List<StampFile>();
        var moves = new List<(string Temp, string Final, StampFile Entry)>();
        var discard = new List<string>();
        var remove = new List<string>();
        for (int i = 0; i < p.Outputs.Length; i++)
        {
            string final = p.Outputs[i];
            string? temp = outputs.TempFor(final);
            if (temp is not null && File.Exists(temp))
                produced.Add(Place(s, temp, final, p.OutputDisplay[i], fromBytes, moves, discard));
            else if (FileStat.Of(final) is { } now && now != before[i])
            {
                // Written in place rather than through a temp: accepted, but not crash-safe, and not trusted.
                produced.Add(new StampFile { Path = p.OutputDisplay[i], Sha256 = s.Hashes.TryGetHash(final, now, out _)! });
            }
            else if (File.Exists(final))
            {
                remove.Add(final);
            }
        }
        var treeFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in p.Trees)
        {
            string? temp = outputs.TempFor(tree);
            if (temp is null || !Directory.Exists(temp)) throw new InvalidOperationException($"the unit did not fill its output folder {s.Display(tree)}");
            foreach (var file in FilesUnder(temp)
                         .Order(StringComparer.Ordinal))
            {
                string final = Path.Combine(tree, Path.GetRelativePath(temp, file));
                treeFiles.Add(final);
                produced.Add(Place(s, file, final, s.Display(final), fromBytes, moves, discard));
            }
            if (Directory.Exists(tree))
                foreach (var file in FilesUnder(tree))
                    if (!treeFiles.Contains(file)) remove.Add(file);
        }
        // Recorded by the previous stamp, declared no more (a chip left the export, a layout was switched off).
        var declared = new HashSet<string>(p.Outputs, StringComparer.Ordinal);
        foreach (var o in p.Old?.Outputs ?? [])
        {
            string full = s.FromDisplay(o.Path);
            if (!declared.Contains(full) && !treeFiles.Contains(full) && !s.Owners.ContainsKey(full) && File.Exists(full)) remove.Add(full);
        }

        p.StampTouched = true;
        s.Stamps.Delete(name, p.Id);
        MoveIntoPlace(s, moves, discard);
        foreach (var final in remove.Distinct(StringComparer.Ordinal))
        {
            File.Delete(final);
            s.Hashes.Forget(final);
            s.Log.Verbose($"{name}/{p.Id}: deleted {s.Display(final)} (not produced this time)");
        }
        foreach (var tree in p.Trees)
        {
            if (outputs.TempFor(tree) is { } temp) TempFiles.TryDeleteFolder(temp);
            RemoveEmptyFolders(tree);
        }

        var stamp = new Stamp
        {
            Task = name,
            Unit = p.Id,
            Version = version,
            Fingerprint = Fingerprint(version, p.InputDisplay, p.InputHashes, p.Config, p.DeclaredDisplay),
            Inputs = p.InputDisplay.Select((path, i) => new StampFile
            {
                Path = path,
                Sha256 = p.InputHashes[i]!,
                Size = p.InputTrusted[i] ? p.InputStats[i].Size : 0,
                Mtime = p.InputTrusted[i] ? p.InputStats[i].MtimeTicks : 0,
            }).ToList(),
            Config = p.Config,
            Declared = [.. p.DeclaredDisplay],
            Outputs = produced,
        };
        p.NewFile = s.Stamps.Write(stamp);
        p.New = stamp;
    }

    /// <summary>Forced units and --repair trust bytes only, never the size+mtime shortcuts.</summary>
    private static bool FromBytes(BuildSession s, string task) => s.Options.IsForced(task) || s.Options.Repair;

    private static IEnumerable<string> FilesUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 });

    /// <summary>Renames the finished temps onto their outputs (recording their hashes) and drops those identical to the file in place.</summary>
    private static void MoveIntoPlace(BuildSession s, List<(string Temp, string Final, StampFile Entry)> moves, List<string> discard)
    {
        foreach (var (temp, final, entry) in moves)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temp, final, overwrite: true);
            if (s.Hashes.Register(final, entry.Sha256) is { } stat) (entry.Size, entry.Mtime) = (stat.Size, stat.MtimeTicks);
        }
        foreach (var temp in discard) File.Delete(temp);
    }

    /// <summary>Hashes a finished temp and decides: identical to the file in place (discard the temp) or move it there.</summary>
    private static StampFile Place(BuildSession s, string temp, string final, string display, bool fromBytes,
        List<(string, string, StampFile)> moves, List<string> discard)
    {
        string hash = HashCache.HashFile(temp);
        var entry = new StampFile { Path = display, Sha256 = hash };
        if (FileStat.Of(final) is { } existing)
        {
            bool trusted;
            string? current = fromBytes ? s.Hashes.HashFromBytes(final, out trusted) : s.Hashes.TryGetHash(final, existing, out trusted);
            if (current == hash)
            {
                discard.Add(temp);
                if (trusted) (entry.Size, entry.Mtime) = (existing.Size, existing.MtimeTicks);
                return entry;
            }
        }
        moves.Add((temp, final, entry));
        return entry;
    }

    private static void RemoveEmptyFolders(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            RemoveEmptyFolders(sub);
            if (!Directory.EnumerateFileSystemEntries(sub).Any()) Directory.Delete(sub);
        }
    }

    private static string MessageOf(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        return ex.Message;
    }

    private static void Poison(BuildSession s, string name, Plan p)
    {
        foreach (var o in p.Outputs) s.Poisoned[o] = name + "/" + p.Id;
        if (p.Status == UnitStatus.Failed)
        {
            s.Failures.TryAdd(name + "/" + p.Id, "failed: " + p.Message);
            Interlocked.CompareExchange(ref s.FirstFailureSlot, name + "/" + p.Id, null);
        }
    }

    /// <summary>
    /// Units run on dedicated threads rather than the thread pool: most unit bodies block (GDAL, file I/O), and
    /// a task allowing 50 blocking downloads on a 2-core machine would otherwise wait for the pool to grow.
    /// </summary>
    private static Task RunWorkers(List<Plan> items, int workers, Func<Plan, Task> body, Action tick)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int next = -1, running = workers;
        Exception? fault = null;
        for (int w = 0; w < workers; w++)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < items.Count)
                    {
                        body(items[i]).GetAwaiter().GetResult();
                        tick();
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref fault, ex, null);
                }
                finally
                {
                    if (Interlocked.Decrement(ref running) == 0)
                    {
                        if (fault is not null) done.SetException(fault);
                        else done.SetResult();
                    }
                }
            })
            { IsBackground = true, Name = "unit worker " + w };
            thread.Start();
        }
        return done.Task;
    }

    private static List<(string File, Stamp? Stamp)> FindStale(string name, HashSet<string> allIds, Dictionary<string, FileStamp> listing, BuildSession s)
    {
        var expected = new HashSet<string>(allIds.Select(id => StampStore.SafeFileName(id) + ".json"), StringComparer.Ordinal);
        var stale = new List<(string, Stamp?)>();
        string dir = s.Stamps.TaskDirectory(name);
        foreach (var fileName in listing.Keys.Order(StringComparer.Ordinal))
        {
            string file = Path.Combine(dir, fileName);
            if (fileName.EndsWith(".tmp", StringComparison.Ordinal))
            {
                if (!s.DryRun) TryDelete(file);
                continue;
            }
            if (!fileName.EndsWith(".json", StringComparison.Ordinal) || expected.Contains(fileName)) continue;
            stale.Add((file, StampStore.ReadFile(file)));
        }
        return stale;
    }

    private static void RemoveStale(string name, List<(string File, Stamp? Stamp)> stale, Dictionary<string, string> currentOutputs, BuildSession s)
    {
        int files = 0;
        foreach (var (file, stamp) in stale)
        {
            foreach (var o in stamp?.Outputs ?? [])
            {
                string full = s.FromDisplay(o.Path);
                // A renamed unit may have taken over the path; never delete a file a current unit declares.
                if (currentOutputs.ContainsKey(full)) continue;
                if (File.Exists(full))
                {
                    File.Delete(full);
                    files++;
                }
                s.Hashes.Forget(full);
            }
            File.Delete(file);
            s.Log.Verbose($"{name}: removed stale unit {stamp?.Unit ?? Path.GetFileName(file)}");
        }
        s.Log.Information($"{name}: removed {stale.Count} stale unit(s) that are no longer in the task ({files} output file(s) deleted)");
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static TaskSummary Summarize(string name, List<Plan> plans, int removed, TimeSpan elapsed, bool dryRun)
    {
        int built = 0, upToDate = 0, failed = 0, skipped = 0, would = 0;
        var reports = new UnitReport[plans.Count];
        for (int i = 0; i < plans.Count; i++)
        {
            var p = plans[i];
            switch (p.Status)
            {
                case UnitStatus.Built: built++; break;
                case UnitStatus.UpToDate: upToDate++; break;
                case UnitStatus.Failed: failed++; break;
                case UnitStatus.Skipped: skipped++; break;
                case UnitStatus.WouldBuild: would++; break;
            }
            reports[i] = new UnitReport(p.Id, p.Status, p.Reasons.ToArray(), p.Message, p.Elapsed);
        }
        var status = failed > 0 ? TaskRunStatus.Failed
            : dryRun && would > 0 ? TaskRunStatus.WouldBuild
            : built > 0 ? TaskRunStatus.Built
            : skipped > 0 && upToDate == 0 ? TaskRunStatus.Skipped
            : TaskRunStatus.UpToDate;
        return new TaskSummary(name, status, true, built, upToDate, failed, skipped, would, removed, elapsed, null, reports);
    }
}
