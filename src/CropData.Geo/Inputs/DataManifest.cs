using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CropData.Geo;

/// <summary>One pinned input: a committed file under data/ or a download a real run needs.</summary>
public sealed record ManifestEntry
{
    /// <summary>Repository-relative path with '/' separators, where the file lives (or must be put).</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    /// <summary>Lower-case hex SHA-256 of the exact bytes; null = not pinned yet (see <see cref="Note"/>).</summary>
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }

    [JsonPropertyName("size")] public long? Size { get; init; }

    /// <summary>Where the bytes came from (committed files) or are downloaded from (external files).</summary>
    [JsonPropertyName("url")] public string? Url { get; init; }

    [JsonPropertyName("licence")] public required string Licence { get; init; }

    /// <summary>Attribution: the project the file comes from and what was changed.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>True for files committed to the repository; false for downloads (never committed).</summary>
    [JsonPropertyName("committed")] public bool Committed { get; init; }

    [JsonPropertyName("note")] public string? Note { get; init; }

    [JsonIgnore] public bool IsPinned => Sha256 is not null;
}

/// <summary>
/// <c>data.manifest.json</c> at the repository root: every data input with its sha256, size, origin URL and
/// licence. Committed files are verified by tests; downloads are fetched by <see cref="PinnedInputFetcher"/>.
/// </summary>
public sealed class DataManifest
{
    public const string FileName = "data.manifest.json";
    public const string UnpinnedNote = "unpinned: fill in after first download";

    [JsonPropertyName("description")] public string? Description { get; init; }

    [JsonPropertyName("files")] public IReadOnlyList<ManifestEntry> Files { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    public static DataManifest LoadFromRepo(string repoRoot) => Load(System.IO.Path.Combine(repoRoot, FileName));

    public static DataManifest Load(string path)
    {
        if (!File.Exists(path)) throw new GeoInputException($"data manifest '{path}' does not exist");
        DataManifest? m;
        try { m = JsonSerializer.Deserialize<DataManifest>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new GeoInputException($"data manifest '{path}' is not valid JSON: {e.Message}", e); }
        if (m is null) throw new GeoInputException($"data manifest '{path}' is empty");
        foreach (var e in m.Files)
        {
            if (string.IsNullOrWhiteSpace(e.Path) || e.Path.Contains('\\') || System.IO.Path.IsPathRooted(e.Path) || e.Path.Split('/').Contains(".."))
                throw new GeoInputException($"data manifest '{path}': entry path '{e.Path}' must be repository-relative with '/' separators");
            if (e.Sha256 is { } s && (s.Length != 64 || !s.All(char.IsAsciiHexDigitLower)))
                throw new GeoInputException($"data manifest '{path}': {e.Path} has sha256 '{s}', expected 64 lower-case hex digits");
            if (!e.Committed && e.Url is null)
                throw new GeoInputException($"data manifest '{path}': download {e.Path} has no url");
        }
        var dup = m.Files.GroupBy(e => e.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new GeoInputException($"data manifest '{path}' lists {dup.Key} twice");
        return m;
    }

    /// <summary>Writes the manifest sorted by path, two-space indented, '\n' line ends.</summary>
    public void Save(string path)
    {
        var sorted = new DataManifest { Description = Description, Files = Files.OrderBy(e => e.Path, StringComparer.Ordinal).ToList() };
        var text = JsonSerializer.Serialize(sorted, Json).Replace("\r\n", "\n") + "\n";
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }

    public ManifestEntry this[string path] => Files.FirstOrDefault(e => e.Path == path)
        ?? throw new GeoInputException($"'{path}' is not in the data manifest");

    /// <summary>Full path of an entry under <paramref name="repoRoot"/>.</summary>
    public static string FullPath(string repoRoot, ManifestEntry e) =>
        System.IO.Path.Combine(repoRoot, e.Path.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>Entries whose file is not on disk (typically the real-run downloads).</summary>
    public IReadOnlyList<ManifestEntry> Missing(string repoRoot) =>
        Files.Where(e => !File.Exists(FullPath(repoRoot, e))).ToList();

    /// <summary>
    /// Problems with the files on disk: a committed file missing, or a present file whose size or sha256 differs
    /// from its pin. An absent download is not a problem (see <see cref="Missing"/>).
    /// </summary>
    public IReadOnlyList<string> Verify(string repoRoot)
    {
        var problems = new List<string>();
        foreach (var e in Files)
        {
            var full = FullPath(repoRoot, e);
            if (!File.Exists(full))
            {
                if (e.Committed) problems.Add($"{e.Path}: committed file is missing");
                continue;
            }
            var size = new FileInfo(full).Length;
            if (e.Size is { } s && s != size) problems.Add($"{e.Path}: size {size}, manifest pins {s}");
            if (e.Sha256 is { } pin && Sha256Of(full) is var actual && actual != pin)
                problems.Add($"{e.Path}: sha256 {actual}, manifest pins {pin}");
            if (e.Committed && !e.IsPinned) problems.Add($"{e.Path}: committed file without sha256");
        }
        return problems;
    }

    /// <summary>A copy with <paramref name="path"/> pinned to the given hash and size (after a first download).</summary>
    public DataManifest WithPin(string path, string sha256, long size) => new()
    {
        Description = Description,
        Files = Files.Select(e => e.Path == path ? e with { Sha256 = sha256, Size = size, Note = null } : e).ToList(),
    };

    public static string Sha256Of(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
