namespace CropData.Graph;

/// <summary>
/// Handed to a running unit (or a task's gather step). The unit writes each output to <see cref="TempPathFor"/>
/// (or with <see cref="WriteAllText"/>/<see cref="WriteAllBytes"/>); after it returns, the engine renames the temps
/// onto the outputs and only then writes the stamp, so a killed build never leaves a unit that looks done. A
/// declared output the unit does not write is deleted if an earlier run left it. The engine owns exactly the files
/// that pass through here: nothing else a build writes counts as part of the dataset.
/// </summary>
public sealed class UnitOutputs
{
    private readonly Dictionary<string, string> _declared; // full path -> full path (lookup by full path)
    private readonly HashSet<string> _trees;
    private readonly Dictionary<string, string> _temps = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly bool _open;

    private readonly Action<string>? _onWarn;

    internal UnitOutputs(string task, string unitId, IReadOnlyList<string> declaredFullPaths, IReadOnlyList<string>? trees = null, bool open = false,
        Action<string>? onWarn = null)
    {
        _onWarn = onWarn;
        Task = task;
        UnitId = unitId;
        Declared = declaredFullPaths;
        _open = open;
        _declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in declaredFullPaths) _declared[p] = p;
        _trees = new HashSet<string>(trees ?? [], StringComparer.Ordinal);
    }

    public string Task { get; }
    public string UnitId { get; }

    /// <summary>The declared outputs, as full paths, in the order Describe gave them.</summary>
    public IReadOnlyList<string> Declared { get; }

    /// <summary>
    /// A hidden path beside <paramref name="output"/>, keeping its extension (".name.1a2b3c4d.tmp.tif") because
    /// some writers pick the format from it. Its directory is created. Asking twice gives the same path.
    /// </summary>
    public string TempPathFor(string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        string full = Path.GetFullPath(output);
        lock (_gate)
        {
            if (!_open && !_declared.ContainsKey(full))
                throw new ArgumentException(
                    $"'{output}' is not a declared output of unit '{UnitId}' of task '{Task}' (declared: {string.Join(", ", Declared)})",
                    nameof(output));
            if (_temps.TryGetValue(full, out var existing)) return existing;
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            string temp = TempFiles.PathFor(full);
            _temps[full] = temp;
            return temp;
        }
    }

    /// <summary>
    /// A fresh temp folder for a declared output folder (<see cref="UnitSpec.OutputFolders"/>): the unit fills it, and the
    /// engine merges it into the folder file by file (identical files untouched, files not produced again deleted).
    /// </summary>
    public string TempFolderFor(string outputFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder));
        lock (_gate)
        {
            if (!_trees.Contains(full))
                throw new ArgumentException($"'{outputFolder}' is not a declared output folder of unit '{UnitId}' of task '{Task}'", nameof(outputFolder));
            if (_temps.TryGetValue(full, out var existing)) return existing;
            string temp = TempFiles.PathFor(full);
            Directory.CreateDirectory(temp);
            _temps[full] = temp;
            return temp;
        }
    }

    /// <summary>Writes a whole output (through its temp, like every output).</summary>
    public void WriteAllBytes(string output, ReadOnlySpan<byte> bytes)
    {
        using var s = new FileStream(TempPathFor(output), FileMode.Create, FileAccess.Write, FileShare.None);
        s.Write(bytes);
    }

    public void WriteAllText(string output, string text) =>
        WriteAllBytes(output, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>The outputs written so far (full paths), for the engine's commit of an open (gather) unit.</summary>
    internal IReadOnlyList<string> Written { get { lock (_gate) return _temps.Keys.Where(k => !_trees.Contains(k)).Order(StringComparer.Ordinal).ToArray(); } }

    /// <summary>Logged at once (a build killed later still shows it) and recorded for the build summary.</summary>
    public void Warn(string message) => _onWarn?.Invoke(message);


    internal string? TempFor(string fullOutput)
    {
        lock (_gate) return _temps.TryGetValue(fullOutput, out var t) ? t : null;
    }

    internal void DeleteTemps()
    {
        string[] temps;
        lock (_gate) temps = _temps.Values.ToArray();
        foreach (var t in temps)
        {
            if (Directory.Exists(t)) TempFiles.TryDeleteFolder(t);
            else TempFiles.TryDelete(t);
        }
    }
}
