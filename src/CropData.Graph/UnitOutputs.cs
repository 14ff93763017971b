namespace CropData.Graph;

/// <summary>
/// Handed to a running unit. The unit writes each output to <see cref="TempPathFor"/>; after the unit returns,
/// the engine renames the temps onto the outputs and only then writes the stamp, so a killed build never
/// leaves a unit that looks done. A declared output the unit does not write is deleted if an earlier run left it.
/// </summary>
public sealed class UnitOutputs
{
    private readonly Dictionary<string, string> _declared; // full path -> full path (lookup by full path)
    private readonly Dictionary<string, string> _temps = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly Lock _gate = new();

    internal UnitOutputs(string task, string unitId, IReadOnlyList<string> declaredFullPaths)
    {
        Task = task;
        UnitId = unitId;
        Declared = declaredFullPaths;
        _declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in declaredFullPaths) _declared[p] = p;
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
            if (!_declared.ContainsKey(full))
                throw new ArgumentException(
                    $"'{output}' is not a declared output of unit '{UnitId}' of task '{Task}' (declared: {string.Join(", ", Declared)})",
                    nameof(output));
            if (_temps.TryGetValue(full, out var existing)) return existing;
            string dir = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(dir);
            string temp = Path.Combine(dir, TempName(Path.GetFileName(full)));
            _temps[full] = temp;
            return temp;
        }
    }

    /// <summary>Recorded and shown in the build summary.</summary>
    public void Warn(string message)
    {
        lock (_gate) _warnings.Add(message);
    }

    internal IReadOnlyList<string> Warnings { get { lock (_gate) return _warnings.ToArray(); } }

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
            try { File.Delete(t); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    internal static string TempName(string fileName)
    {
        string ext = Path.GetExtension(fileName);
        string stem = ext.Length > 0 ? fileName[..^ext.Length] : fileName;
        string token = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));
        return "." + stem + "." + token + ".tmp" + ext;
    }

    internal static readonly System.Text.RegularExpressions.Regex TempPattern =
        new(@"^\..+\.[0-9a-f]{8}\.tmp(\.[^.]*)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
