using CropData.Graph.Engine;

namespace CropData.Graph;

/// <summary>
/// What the engine knows about a dataset folder as a whole: which files its units own, and whether the last build
/// of it finished. Both are read from the state directory (<c>.build/</c>) alone.
/// </summary>
public static class BuildState
{
    private const string IncompleteFile = "incomplete";

    /// <summary>
    /// Every file that a unit or gather stamp records as its output (full paths). A file in the dataset folder that is
    /// not in this set was written by nobody the engine knows: it is not part of the dataset.
    /// </summary>
    public static IReadOnlySet<string> OwnedFiles(string stateDirectory, IReadOnlyDictionary<string, string>? roots = null)
    {
        var named = StampPaths.Roots(roots);
        string state = Path.GetFullPath(stateDirectory);
        string root = Path.GetDirectoryName(state) ?? state;
        var owned = new HashSet<string>(StringComparer.Ordinal);
        var store = new StampStore(state);
        string stamps = Path.Combine(state, "stamps");
        if (!Directory.Exists(stamps)) return owned;
        string Full(string display) => StampPaths.ToFull(display, root, named);
        foreach (var dir in Directory.EnumerateDirectories(stamps))
        {
            string task = Path.GetFileName(dir);
            var index = StampIndex.Load(StampIndex.PathFor(state, task));
            var byFile = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
            foreach (var (unit, entry) in index) byFile[StampStore.SafeFileName(unit) + ".json"] = entry;
            foreach (var (file, stat) in store.List(task))
            {
                if (!file.EndsWith(".json", StringComparison.Ordinal)) continue;
                if (byFile.TryGetValue(file, out var e) && e.File == stat)
                {
                    foreach (var (path, _) in e.Outputs) owned.Add(Full(path));
                }
                else if (StampStore.ReadFile(Path.Combine(dir, file)) is { } stamp)
                {
                    foreach (var o in stamp.Outputs) owned.Add(Full(o.Path));
                }
            }
        }
        return owned;
    }

    /// <summary>The state folder's name inside a dataset folder.</summary>
    public const string FolderName = ".build";

    private const string StampsPrefix = FolderName + "/stamps/";

    /// <summary>The task a stamp file belongs to, for a path relative to the dataset folder ('/' separated); null when it is no stamp.</summary>
    public static string? StampTask(string relative)
    {
        if (!relative.StartsWith(StampsPrefix, StringComparison.Ordinal) || !relative.EndsWith(".json", StringComparison.Ordinal)) return null;
        int slash = relative.IndexOf('/', StampsPrefix.Length);
        return slash > StampsPrefix.Length && relative.IndexOf('/', slash + 1) < 0 ? relative[StampsPrefix.Length..slash] : null;
    }

    /// <summary>Whether a path relative to the dataset folder is engine state that never travels between folders
    /// (locks, hash cache, stamp indexes, marks) — everything under .build/ but the stamps and the work records.</summary>
    public static bool IsLocalState(string relative) =>
        relative.StartsWith(FolderName + "/", StringComparison.Ordinal)
        && (relative.StartsWith(StampsPrefix, StringComparison.Ordinal) ? StampTask(relative) is null : !relative.StartsWith(FolderName + "/work/", StringComparison.Ordinal));

    /// <summary>
    /// What makes two stamps of one unit equivalent: its fingerprint and produced outputs (path and sha256), and whether
    /// it can move to another dataset folder (no declared output outside its own folder). Null when unreadable.
    /// </summary>
    public static (string Fingerprint, string Outputs, bool Portable)? ReadStamp(string stampFile)
    {
        if (StampStore.ReadFile(stampFile) is not { } stamp) return null;
        return (stamp.Fingerprint, string.Join("\n", stamp.Outputs.Select(o => o.Path + "\0" + o.Sha256)),
            !stamp.Declared.Any(d => Path.IsPathRooted(d) || d.StartsWith("${", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Stamps were copied in from elsewhere (merge): the per-task indexes of those tasks and, when files were replaced,
    /// the hash cache no longer describe this folder. Both are caches; the engine rebuilds them.
    /// </summary>
    public static void ForgetCaches(string stateDirectory, IEnumerable<string> tasks, bool hashes)
    {
        foreach (var task in tasks) TempFiles.TryDelete(StampIndex.PathFor(stateDirectory, task));
        if (hashes) TempFiles.TryDelete(Path.Combine(stateDirectory, "hashes.bin"));
    }

    /// <summary>Why the last build of this dataset did not finish, or null when it did (or none ran here).</summary>
    public static string? IncompleteReason(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, IncompleteFile);
        if (!File.Exists(path)) return null;
        try
        {
            string text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : "a build was interrupted";
        }
        catch (IOException) { return "a build was interrupted"; }
    }

    internal static void MarkIncomplete(string stateDirectory, string reason)
    {
        Directory.CreateDirectory(stateDirectory);
        AtomicFile.WriteAllText(Path.Combine(stateDirectory, IncompleteFile), reason + "\n");
    }

    internal static void MarkComplete(string stateDirectory) => TempFiles.TryDelete(Path.Combine(stateDirectory, IncompleteFile));
}
