using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CropData.Graph;

namespace CropData.Build.Context;

/// <summary>One shard's dataset folder and the shard it holds (from its build.shard-K-of-N.lock).</summary>
public sealed record ShardFolder(string Folder, int Index, int Count)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"shard {Index}/{Count} ({Folder})");
}

/// <summary>What the union will do: the files to take (and from which shard) and the stamps to carry.</summary>
public sealed record MergePlan(
    IReadOnlyList<ShardFolder> Shards,
    IReadOnlyList<MergeFile> Files,
    IReadOnlyList<MergeFile> Stamps,
    IReadOnlyList<string> StampsNotCarried,
    IReadOnlySet<string> ShardTasks);

public sealed record MergeFile(string Relative, ShardFolder Shard, string Source);

/// <summary>Raised when two shards hold the same relative path with different bytes; names the file and both shards.</summary>
public sealed class MergeConflictException(string message) : Exception(message);

public static partial class ShardMerge
{
    private const string State = BuildState.FolderName;

    [GeneratedRegex(@"^build\.shard-([0-9]+)-of-([0-9]+)\.lock$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardLock();


    /// <summary>
    /// Resolves each --from entry to a shard's dataset folder: a data folder holding training_datasets/&lt;name&gt;/,
    /// or the dataset folder itself. Every shard 1..N of one N must be there exactly once.
    /// </summary>
    public static IReadOnlyList<ShardFolder> Locate(DatasetContext c, IReadOnlyList<string> dirs)
    {
        if (dirs.Count == 0) throw new BuildUsageException("--from lists no folder");
        var target = Path.TrimEndingDirectorySeparator(c.Paths.Root);
        var shards = new List<ShardFolder>();
        foreach (var dir in dirs)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            var nested = Path.Combine(full, "training_datasets", c.Config.TrainDatasetName);
            string folder = Directory.Exists(Path.Combine(nested, State)) ? nested
                : Directory.Exists(Path.Combine(full, State)) ? full
                : throw new BuildUsageException(
                    $"--from: '{dir}' is neither a data folder holding training_datasets/{c.Config.TrainDatasetName}/.build nor a dataset folder " +
                    "with a .build/ folder (copy a shard back with its hidden .build/ folder: it holds the stamps and per-unit records merge needs)");
            if (Inside(folder, target) || Inside(target, folder))
                throw new BuildUsageException($"--from: '{folder}' is the merge's own dataset folder or overlaps it ({target}); merge into another data_dir");

            var locks = Directory.EnumerateFiles(Path.Combine(folder, State), "build.shard-*.lock")
                .Select(p => ShardLock().Match(Path.GetFileName(p))).Where(m => m.Success)
                .Select(m => (K: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), N: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                .OrderBy(s => s.N).ThenBy(s => s.K).ToList();
            if (locks.Count == 0)
                throw new BuildUsageException($"--from: {folder} was not built with --shard=K/N (no .build/build.shard-K-of-N.lock); merge takes shard outputs");
            if (locks.Count > 1)
                throw new BuildUsageException($"--from: {folder} holds the state of several shard runs ({string.Join(", ", locks.Select(l => $"{l.K}/{l.N}"))}); " +
                                              "use one folder per shard, or delete the lock files of the runs it does not hold");
            var shard = new ShardFolder(folder, locks[0].K, locks[0].N);
            if (IsRunning(Path.Combine(folder, State, $"build.shard-{shard.Index}-of-{shard.Count}.lock")))
                throw new BuildUsageException($"{shard} is still building; merge after it finished");
            shards.Add(shard);
        }

        var counts = shards.Select(s => s.Count).Distinct().ToList();
        if (counts.Count > 1)
            throw new BuildUsageException("--from mixes shard counts: " + string.Join(", ", shards.Select(s => s.ToString())));
        int n = counts[0];
        foreach (var twice in shards.GroupBy(s => s.Index).Where(g => g.Count() > 1))
            throw new BuildUsageException($"--from names shard {twice.Key}/{n} twice: {string.Join(" and ", twice.Select(s => s.Folder))}");
        var missing = Enumerable.Range(1, n).Except(shards.Select(s => s.Index)).ToList();
        if (missing.Count > 0)
            throw new BuildUsageException($"--from lacks shard(s) {string.Join(", ", missing.Select(k => $"{k}/{n}"))}: every shard of --shard=K/{n} is needed " +
                                          "(merge would otherwise build their units itself)");
        return shards.OrderBy(s => s.Index).ToList();
    }

    /// <summary>
    /// Scans the shards (nothing is written): every file once, by relative path. The same path in two shards
    /// must hold the same bytes (every shard builds the AOI and the chip-to-tile table); otherwise the merge
    /// stops before touching the target, naming the file and both shards.
    /// </summary>
    public static MergePlan Plan(DatasetContext c, IReadOnlyList<ShardFolder> shards)
    {
        var files = new Dictionary<string, MergeFile>(StringComparer.Ordinal);
        var stamps = new Dictionary<string, (MergeFile File, string Recipe)>(StringComparer.Ordinal);
        var notCarried = new SortedSet<string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        var shardTasks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var rel in ListFiles(shard.Folder))
            {
                if (Skip(rel)) continue;
                var file = new MergeFile(rel, shard, Full(shard.Folder, rel));
                if (BuildState.StampTask(rel) is { } stampTask)
                {
                    shardTasks.Add(stampTask);
                    // A stamp travels only with every output it vouches for: one naming a file outside the
                    // dataset folder (sample-data's generated inputs) would vouch for another folder's files.
                    var recipe = StampRecipe(file.Source);
                    if (recipe is null) { notCarried.Add(rel + " (unreadable, or its outputs lie outside the dataset folder)"); continue; }
                    if (stamps.TryGetValue(rel, out var first))
                    {
                        // Units every shard runs (aoi, tiles) agree unless a path or setting differed; then the
                        // unit is simply checked again in the merged folder.
                        if (first.Recipe != recipe)
                        {
                            stamps[rel] = (first.File, "\u0001differs");
                            notCarried.Add($"{rel} (differs between {first.File.Shard} and {shard})");
                        }
                        continue;
                    }
                    stamps[rel] = (file, recipe);
                    continue;
                }
                if (files.TryGetValue(rel, out var earlier))
                {
                    if (!SameBytes(earlier.Source, file.Source))
                        conflicts.Add($"{rel}: {earlier.Shard} has {Describe(earlier.Source)}, {shard} has {Describe(file.Source)}");
                    continue;
                }
                files[rel] = file;
            }
        }
        if (conflicts.Count > 0)
            throw new MergeConflictException(
                $"conflicting copies of {conflicts.Count} file(s) in the shards (same relative path, different bytes); nothing was merged. " +
                "Shards of one build never disagree: rebuild the shard that ran with another config or code, or remove the stale copy.\n  " +
                string.Join("\n  ", conflicts.Take(20)) + (conflicts.Count > 20 ? $"\n  ... and {conflicts.Count - 20} more" : ""));
        var carried = stamps.Values.Where(s => s.Recipe != "\u0001differs").Select(s => s.File).OrderBy(f => f.Relative, StringComparer.Ordinal).ToList();
        return new MergePlan(shards, files.Values.OrderBy(f => f.Relative, StringComparer.Ordinal).ToList(), carried, notCarried.ToList(), shardTasks);
    }

    /// <summary>
    /// Puts the planned files into the dataset folder: each through a temp name and a rename, with the shard's
    /// mtime, so the carried stamps' recorded size and mtime still vouch for the bytes (no re-hash of 250 GB).
    /// A file already there with the same size and mtime is kept; with <paramref name="link"/> files are
    /// hard-linked (same file system) instead of copied.
    /// </summary>
    public static void Apply(DatasetContext c, MergePlan plan, bool link)
    {
        var root = c.Paths.Root;
        Directory.CreateDirectory(root);
        int copied = 0, linked = 0, kept = 0, replaced = 0;
        long bytes = 0;
        bool linkFailed = false;
        var errors = new ConcurrentQueue<string>();
        Parallel.ForEach(plan.Files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, c.Options.Jobs), CancellationToken = c.CancellationToken }, f =>
        {
            var dest = Full(root, f.Relative);
            var src = new FileInfo(f.Source);
            var mtime = src.LastWriteTimeUtc;
            var existing = new FileInfo(dest);
            if (existing.Exists && existing.Length == src.Length && existing.LastWriteTimeUtc == mtime)
            {
                Interlocked.Increment(ref kept);
                return;
            }
            if (existing.Exists && existing.Length == src.Length && SameBytes(dest, f.Source))
            {
                File.SetLastWriteTimeUtc(dest, mtime);
                Interlocked.Increment(ref kept);
                return;
            }
            if (existing.Exists) Interlocked.Increment(ref replaced);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            var temp = TempFiles.PathFor(dest);
            try
            {
                if (link && !Volatile.Read(ref linkFailed) && FileLinks.TryLink(f.Source, temp))
                {
                    Interlocked.Increment(ref linked);
                }
                else
                {
                    if (link) Volatile.Write(ref linkFailed, true);
                    File.Copy(f.Source, temp, overwrite: true);
                    File.SetLastWriteTimeUtc(temp, mtime);
                    Interlocked.Increment(ref copied);
                    Interlocked.Add(ref bytes, src.Length);
                }
                File.Move(temp, dest, overwrite: true); // a rename keeps the mtime
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (IOException) { }
                errors.Enqueue($"{f.Relative} from {f.Shard}: {ex.Message}");
            }
        });
        if (!errors.IsEmpty)
            throw new IOException($"merge could not write {errors.Count} file(s) into {root}:\n  " + string.Join("\n  ", errors.Take(20)));

        // Stamps get fresh mtimes: the index of each touched task is dropped (a cache; rebuilt from the JSON).
        // A stamp this folder already has for the same outputs stays: it was checked here (a merge run again
        // would otherwise bring back a shard's stamp naming the shard's own generated inputs).
        int stampsKept = 0;
        foreach (var s in plan.Stamps)
        {
            var dest = Full(root, s.Relative);
            if (File.Exists(dest) && StampOutputs(dest) is { } here && here == StampOutputs(s.Source)) { stampsKept++; continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            var temp = TempFiles.PathFor(dest);
            File.Copy(s.Source, temp, overwrite: true);
            File.Move(temp, dest, overwrite: true);
        }
        BuildState.ForgetCaches(c.Paths.State, stampsKept < plan.Stamps.Count ? plan.Stamps.Select(s => BuildState.StampTask(s.Relative)!).Distinct() : [],
            hashes: replaced > 0); // cached hashes of the bytes just replaced

        foreach (var shard in plan.Shards)
            c.Log.Information($"merge: {shard}: {plan.Files.Count(f => f.Shard == shard)} files, {plan.Stamps.Count(s => s.Shard == shard)} stamps");
        c.Log.Information(string.Create(CultureInfo.InvariantCulture,
            $"merge: {plan.Files.Count} files into {root}: {copied} copied ({bytes / 1e6:0.0} MB), {linked} hard-linked, {kept} already there, {replaced} replaced; " +
            $"{plan.Stamps.Count - stampsKept} stamps carried, {stampsKept} already there"));
        if (link && linkFailed) c.Log.Warning("merge: --link: hard links failed (another file system?); the files were copied");
        foreach (var s in plan.StampsNotCarried) c.Log.Verbose($"merge: stamp not carried, the unit is checked again: {s}");
    }

    // Metadata tasks may redo their units in the merged folder (a path that names the data folder, such as the
    // sample's generated catalogs, differs there); everything else the shards did must apply as it is.
    private static readonly HashSet<string> Cheap = new(StringComparer.Ordinal) { "sample-data", "aoi", "tiles", "search", "scenes", "cids" };

    /// <summary>
    /// A dry run of the whole graph on the merged folder (no lock, writes nothing): if a unit the shards should
    /// have built would still build for a reason of its own (not just "upstream output will be rebuilt", which
    /// early cutoff usually stops), the merge stops with the reasons instead of downloading or warping here.
    /// </summary>
    public static async Task CheckNothingLeftToBuildAsync(DatasetContext c, MergePlan plan)
    {
        var output = new StringWriter();
        string[] args =
        [
            "--dryrun", "--verbosity=quiet", $"--config={Path.GetFullPath(c.ConfigPath, c.RepoRoot)}", $"--root={c.RepoRoot}",
            string.Create(CultureInfo.InvariantCulture, $"--jobs={c.Options.Jobs}"),
        ];
        var result = await BuildHost.ExecuteAsync(args, o => new DatasetContext(o),
            new BuildHostSettings { Output = output, Interactive = false, Environment = _ => null }, typeof(DatasetContext).Assembly);
        var problems = new List<string>();
        // The sample's generated inputs (its CDL window among them) are not carried: sample-data makes them again, so until
        // then a task whose units are listed from them cannot be planned. Their bytes are the shards' (same seed), so the
        // shards' stamps apply once they exist; the units that can be planned are still checked.
        bool sampleRegenerates = result.Task("sample-data") is { } sample && sample.Units.Any(u => u.Status == UnitStatus.WouldBuild);
        foreach (var t in result.Tasks.Where(t => t.IsUnitTask && plan.ShardTasks.Contains(t.Name) && !Cheap.Contains(t.Name)))
        {
            if (t.Status == TaskRunStatus.Unknown && sampleRegenerates && t.Note?.Contains(c.Paths.SampleInputs, StringComparison.Ordinal) == true)
            {
                c.Log.Information($"merge: {t.Name}: units listed only after sample-data regenerates {c.Paths.SampleInputs}");
                continue;
            }
            if (t.Status == TaskRunStatus.Unknown) { problems.Add($"{t.Name}: units cannot be listed ({t.Note})"); continue; }
            var own = t.Units.Where(u => u.Status is UnitStatus.WouldBuild or UnitStatus.Failed
                                         && (u.Status == UnitStatus.Failed || u.Reasons.Any(r => r.Kind != ReasonKind.UpstreamWillBuild))).ToList();
            if (own.Count == 0) continue;
            var reasons = own.SelectMany(u => u.Reasons.Where(r => r.Kind != ReasonKind.UpstreamWillBuild).Select(r => r.ToString()).DefaultIfEmpty(u.Message ?? "failed"))
                .GroupBy(r => r).OrderByDescending(g => g.Count()).Take(3).Select(g => $"{g.Key} ({g.Count()})");
            problems.Add($"{t.Name}: {own.Count} unit(s), e.g. {string.Join(", ", own.Take(3).Select(u => u.Id))}: {string.Join("; ", reasons)}");
        }
        if (result.ExitCode != 0 && problems.Count == 0)
            problems.Add("the dry run failed: " + string.Join("; ", result.Failures.Select(f => $"{f.Task}: {f.Message}")));
        if (problems.Count == 0) return;
        throw new InvalidOperationException(
            "after the union these units would still build in the merged folder, although the shards own them:\n  " + string.Join("\n  ", problems) +
            "\nA shard that did not finish leaves units to build (rerun it, then merge again); an input at another absolute path (the CDL: run " +
            "the shards and the merge from the same repository path) or another config makes the shards' stamps not apply here. " +
            "Pass --allow-rebuild to build them in the merged folder.");
    }

    /// <summary>Relative paths ('/' separated, ordinal order) of every file under a folder, hidden ones included.</summary>
    public static IEnumerable<string> ListFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/')).Order(StringComparer.Ordinal);

    /// <summary>
    /// Under .build/ only the stamps and the per-unit records (.build/work) travel; the rest is one folder's engine
    /// state (locks, hash cache, stamp indexes, fetch staging of a killed download). Temps never travel.
    /// </summary>
    public static bool Skip(string rel)
    {
        if (TempFiles.IsLeftover(rel[(rel.LastIndexOf('/') + 1)..])) return true; // a killed shard's temps are never results
        if (BuildState.IsLocalState(rel)) return true;
        return rel.StartsWith(State + "/work/stats-out/", StringComparison.Ordinal) || rel.StartsWith(State + "/work/split.", StringComparison.Ordinal);
    }

    /// <summary>What makes two stamps of one unit equivalent (fingerprint and produced outputs), or null when the
    /// stamp cannot travel (an output outside the dataset folder, or unreadable).</summary>
    private static string? StampRecipe(string path) => ReadStamp(path) is { Portable: true } s ? s.Fingerprint + "\n" + s.Outputs : null;

    private static string? StampOutputs(string path) => ReadStamp(path)?.Outputs;

    private static (string Fingerprint, string Outputs, bool Portable)? ReadStamp(string path) => BuildState.ReadStamp(path);

    private static bool SameBytes(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length) return false;
        using var sa = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var sb = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var ba = new byte[1 << 16];
        var bb = new byte[1 << 16];
        while (true)
        {
            int na = sa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            int nb = sb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb))) return false;
            if (na < ba.Length) return true;
        }
    }

    private static string Describe(string path)
    {
        using var s = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(s));
        return string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length} bytes, sha256 {sha[..16]}");
    }

    private static string Full(string folder, string rel) => Path.Combine(folder, rel.Replace('/', Path.DirectorySeparatorChar));

    private static bool Inside(string path, string folder) =>
        string.Equals(path, folder, StringComparison.Ordinal) || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Whether another process holds the lock (.NET's FileShare.None is an flock on Unix).</summary>
    private static bool IsRunning(string lockFile)
    {
        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false; // a read-only copy: nobody builds there
        }
        catch (IOException) when (File.Exists(lockFile))
        {
            return true;
        }
    }

}
