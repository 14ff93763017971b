using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CropData.Dataset.Finishing;

/// <summary>One output file: path relative to the dataset folder with '/' separators, size in bytes, lowercase hex SHA-256.</summary>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>One input of the build (a scene band, the CDL raster, a reference table, ...): a name the caller chooses
/// (e.g. the file name), and its IPFS CID and/or SHA-256 and size when known. <see cref="Url"/> and <see cref="Verified"/>
/// are set for scene bands that did not come from IPFS (spec stage 7): where they came from and how they were checked
/// ("unverified origin" when nothing could); <see cref="BytesRead"/>: the bytes of the IPFS blocks the build read of it
/// when it read byte ranges instead of the whole file (download.mode ranges).</summary>
public sealed record ManifestInput(string Name, string? Cid = null, string? Sha256 = null, long? Size = null, string? Url = null,
    string? Verified = null, long? BytesRead = null);

/// <summary>A file whose size or hash differs from the manifest.</summary>
public sealed record ChangedFile(string Path, long ExpectedSize, long ActualSize, string ExpectedSha256, string ActualSha256);

/// <summary>Result of <see cref="DatasetManifest.Verify"/>: missing, extra and changed relative paths, each sorted.</summary>
public sealed record ManifestVerification(IReadOnlyList<string> Missing, IReadOnlyList<string> Extra, IReadOnlyList<ChangedFile> Changed)
{
    public bool Ok => Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0;

    /// <summary>One line per problem ("missing: x", "extra: y", "changed: z (size a → b)"), for the verify target's output.</summary>
    public IEnumerable<string> Describe() =>
        Missing.Select(m => "missing: " + m)
            .Concat(Extra.Select(e => "extra: " + e))
            .Concat(Changed.Select(c => c.ExpectedSize != c.ActualSize
                ? $"changed: {c.Path} (size {c.ExpectedSize} → {c.ActualSize})"
                : $"changed: {c.Path} (sha256 {c.ExpectedSha256[..12]}… → {c.ActualSha256[..12]}…)"));
}

/// <summary>
/// <c>dataset.manifest.json</c>: every output file under a dataset folder (sorted by ordinal path), the config used (a
/// JSON object, kept as given), every input (sorted by name, then CID), and the tool version. No timestamps, LF line
/// ends, fixed key order, so the same dataset gives the same bytes. The manifest itself and the engine's
/// <c>.build/</c> state folder (both at the dataset root) are not listed.
/// </summary>
public sealed record DatasetManifest(string ToolVersion, JsonObject Config, IReadOnlyList<ManifestInput> Inputs, IReadOnlyList<ManifestFile> Files)
{
    public const string FileName = "dataset.manifest.json";
    public const string BuildStateFolder = ".build";
    public const int FormatVersion = 1;

    /// <summary>
    /// Hashes every file under <paramref name="folder"/> (except the manifest and <c>.build/</c>). A build passes its
    /// hash cache as <paramref name="sha256Of"/> so unchanged files are not read again; <c>verify</c> never does.
    /// </summary>
    /// <param name="files">The relative paths that belong to the dataset (a build passes the files its units own, from
    /// one <see cref="ListFiles"/>); null = every file of the folder.</param>
    public static DatasetManifest Build(string folder, JsonObject config, IEnumerable<ManifestInput> inputs, string toolVersion,
        Func<string, string>? sha256Of = null, IReadOnlyList<string>? files = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist");
        sha256Of ??= Sha256Of;
        var described = (files ?? ListFiles(folder)).AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount))
            .Select(rel => Describe(folder, rel, sha256Of)).ToList();
        var ins = inputs.OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Cid ?? "", StringComparer.Ordinal)
            .ThenBy(i => i.Sha256 ?? "", StringComparer.Ordinal).ToList();
        return new DatasetManifest(toolVersion, (JsonObject)config.DeepClone(), ins, described);
    }

    /// <summary>Builds and writes <c>dataset.manifest.json</c> at the dataset root; returns the manifest.</summary>
    public static DatasetManifest BuildAndWrite(string folder, JsonObject config, IEnumerable<ManifestInput> inputs, string toolVersion)
    {
        var m = Build(folder, config, inputs, toolVersion);
        FinishingFormat.WriteBytes(Path.Combine(folder, FileName), m.ToBytes());
        return m;
    }

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            w.WriteStartObject();
            w.WriteNumber("format_version", FormatVersion);
            w.WriteString("tool_version", ToolVersion);
            w.WritePropertyName("config");
            Config.WriteTo(w);
            w.WriteStartArray("inputs");
            foreach (var i in Inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", i.Name);
                if (i.Cid is not null) w.WriteString("cid", i.Cid);
                if (i.Sha256 is not null) w.WriteString("sha256", i.Sha256);
                if (i.Size is { } s) w.WriteNumber("size", s);
                if (i.Url is not null) w.WriteString("url", i.Url);
                if (i.Verified is not null) w.WriteString("verified", i.Verified);
                if (i.BytesRead is { } r) w.WriteNumber("bytes_read", r);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("files");
            foreach (var f in Files)
            {
                w.WriteStartObject();
                w.WriteString("path", f.Path);
                w.WriteNumber("size", f.Size);
                w.WriteString("sha256", f.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    public static DatasetManifest Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"manifest '{path}' does not exist", path);
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InvalidDataException($"manifest '{path}' is not JSON: {e.Message}", e); }
        InvalidDataException Bad(string what) => new($"manifest '{path}': {what}");
        if (root is not JsonObject o) throw Bad("top level is not an object");
        if (o["format_version"]?.GetValue<int>() != FormatVersion) throw Bad($"format_version is not {FormatVersion}");
        var tool = o["tool_version"]?.GetValue<string>() ?? throw Bad("tool_version missing");
        var config = o["config"] as JsonObject ?? throw Bad("config is not an object");
        var inputs = (o["inputs"] as JsonArray ?? throw Bad("inputs is not an array")).Select((n, i) =>
        {
            var x = n as JsonObject ?? throw Bad($"inputs[{i}] is not an object");
            return new ManifestInput(x["name"]?.GetValue<string>() ?? throw Bad($"inputs[{i}].name missing"),
                x["cid"]?.GetValue<string>(), x["sha256"]?.GetValue<string>(), x["size"]?.GetValue<long>(),
                x["url"]?.GetValue<string>(), x["verified"]?.GetValue<string>(), x["bytes_read"]?.GetValue<long>());
        }).ToList();
        var files = (o["files"] as JsonArray ?? throw Bad("files is not an array")).Select((n, i) =>
        {
            var x = n as JsonObject ?? throw Bad($"files[{i}] is not an object");
            return new ManifestFile(x["path"]?.GetValue<string>() ?? throw Bad($"files[{i}].path missing"),
                x["size"]?.GetValue<long>() ?? throw Bad($"files[{i}].size missing"),
                x["sha256"]?.GetValue<string>() ?? throw Bad($"files[{i}].sha256 missing"));
        }).ToList();
        return new DatasetManifest(tool, (JsonObject)config.DeepClone(), inputs, files);
    }

    /// <summary>
    /// Re-hashes the folder against <paramref name="manifest"/>: files listed but absent (missing), present but not
    /// listed (extra), and listed with another size or SHA-256 (changed). The manifest file and <c>.build/</c> are ignored.
    /// </summary>
    public static ManifestVerification Verify(string folder, DatasetManifest manifest)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist");
        var expected = new Dictionary<string, ManifestFile>(StringComparer.Ordinal);
        foreach (var f in manifest.Files) expected[f.Path] = f;
        var actual = ListFiles(folder);
        var actualSet = new HashSet<string>(actual, StringComparer.Ordinal);
        var missing = expected.Keys.Where(p => !actualSet.Contains(p)).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Where(p => !expected.ContainsKey(p)).ToList();
        var changed = actual.Where(expected.ContainsKey).AsParallel().AsOrdered()
            .Select(p =>
            {
                var e = expected[p];
                var a = Describe(folder, p, Sha256Of);
                return a.Size == e.Size && string.Equals(a.Sha256, e.Sha256, StringComparison.OrdinalIgnoreCase)
                    ? null : new ChangedFile(p, e.Size, a.Size, e.Sha256, a.Sha256);
            })
            .Where(c => c is not null).Select(c => c!).ToList();
        return new ManifestVerification(missing, extra, changed);
    }

    /// <summary>Verifies against the folder's own <c>dataset.manifest.json</c>.</summary>
    public static ManifestVerification Verify(string folder) => Verify(folder, Read(Path.Combine(folder, FileName)));

    /// <summary>Relative paths ('/' separated, ordinal order) of every file under the folder except the manifest and .build/.</summary>
    public static IReadOnlyList<string> ListFiles(string folder)
    {
        var list = new List<string>();
        foreach (var p in Directory.EnumerateFiles(folder, "*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false }))
        {
            var rel = Path.GetRelativePath(folder, p).Replace('\\', '/');
            if (rel == FileName || rel.StartsWith(BuildStateFolder + "/", StringComparison.Ordinal)) continue;
            list.Add(rel);
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public static string Sha256Of(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static ManifestFile Describe(string folder, string rel, Func<string, string> sha256Of)
    {
        var full = Full(folder, rel);
        return new ManifestFile(rel, new FileInfo(full).Length, sha256Of(full));
    }

    private static string Full(string folder, string rel) => Path.Combine(folder, rel.Replace('/', Path.DirectorySeparatorChar));
}
