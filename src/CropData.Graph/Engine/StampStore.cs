using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CropData.Graph.Engine;

/// <summary>What a built unit was built from and what it produced. Paths are relative to the dataset folder
/// when inside it, so a moved dataset folder stays up to date.</summary>
internal sealed class Stamp
{
    public int Format { get; set; } = 1;
    public string Task { get; set; } = "";
    public string Unit { get; set; } = "";
    public string Version { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public List<StampFile> Inputs { get; set; } = [];
    public SortedDictionary<string, string?> Config { get; set; } = new(StringComparer.Ordinal);
    public List<string> Declared { get; set; } = [];
    public List<StampFile> Outputs { get; set; } = [];
}

internal readonly record struct FileStamp(long Size, long MtimeTicks);

/// <summary>A file the stamp vouches for. Size and mtime (UTC ticks) are those the hash was trusted for; 0 when
/// the hash was too fresh to trust, so the next check asks the hash cache instead of comparing them.</summary>
internal sealed class StampFile
{
    public string Path { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public long Size { get; set; }
    public long Mtime { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Stamp))]
internal sealed partial class StampJsonContext : JsonSerializerContext;

/// <summary>
/// One small JSON per unit under stamps/&lt;task&gt;/. Each is written to a temp and renamed, so concurrent units
/// never share a file and a killed build leaves either the old stamp, no stamp, or the new one.
/// </summary>
internal sealed class StampStore(string stateDirectory)
{
    private readonly string _root = Path.Combine(stateDirectory, "stamps");

    public string TaskDirectory(string task) => Path.Combine(_root, SafeFileName(task));

    public string PathFor(string task, string unitId) => Path.Combine(TaskDirectory(task), SafeFileName(unitId) + ".json");

    /// <summary>The stamp of this unit, or null when absent, unreadable or belonging to another id.</summary>
    public Stamp? Read(string task, string unitId)
    {
        var stamp = ReadFile(PathFor(task, unitId));
        return stamp is not null && stamp.Unit == unitId && stamp.Task == task ? stamp : null;
    }

    public static Stamp? ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, StampJsonContext.Default.Stamp);
        }
        catch (JsonException)
        {
            return null; // a torn or hand-edited stamp means "not built"
        }
    }

    /// <summary>Writes the stamp (temp + rename) and returns the size and mtime of the file now in place.</summary>
    public FileStamp Write(Stamp stamp)
    {
        string path = PathFor(stamp.Task, stamp.Unit);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + "." + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next())) + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(stamp, StampJsonContext.Default.Stamp));
        var info = new FileInfo(temp);
        var written = new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks);
        File.Move(temp, path, overwrite: true); // rename keeps size and mtime
        return written;
    }

    public void Delete(string task, string unitId)
    {
        try
        {
            File.Delete(PathFor(task, unitId));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>File name → size and mtime of every file in the task's stamp folder (one directory read).</summary>
    public Dictionary<string, FileStamp> List(string task)
    {
        var result = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        string dir = TaskDirectory(task);
        if (!Directory.Exists(dir)) return result;
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        var entries = new FileSystemEnumerable<(string Name, FileStamp Stamp)>(dir,
            (ref FileSystemEntry e) => (e.FileName.ToString(), new FileStamp(e.Length, e.LastWriteTimeUtc.UtcTicks)), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
        };
        foreach (var (name, stamp) in entries) result[name] = stamp;
        return result;
    }

    private string IndexPath(string task) => Path.Combine(_root, SafeFileName(task) + ".index");

    /// <summary>
    /// The per-task index: a copy of every unit's stamp together with the size and mtime its JSON file had,
    /// so a no-op check reads one file instead of thousands. The JSON files stay the truth: an entry is used
    /// only while its file still has that size and mtime (stamps are written by the engine alone, and a stamp,
    /// even an outdated one, only ever claims "these output hashes came from these inputs", which the check
    /// verifies against the outputs on disk).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public Dictionary<string, (FileStamp File, Stamp Stamp)> LoadIndex(string task)
    {
        var result = new Dictionary<string, (FileStamp, Stamp)>(StringComparer.Ordinal);
        string path = IndexPath(task);
        try
        {
            if (!File.Exists(path)) return result;
            using var r = new BinaryReader(new MemoryStream(File.ReadAllBytes(path)), Encoding.UTF8);
            if (r.ReadUInt32() != IndexMagic) return result;
            int count = r.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var file = new FileStamp(r.ReadInt64(), r.ReadInt64());
                var stamp = new Stamp
                {
                    Format = r.ReadInt32(),
                    Task = r.ReadString(),
                    Unit = r.ReadString(),
                    Version = r.ReadString(),
                    Fingerprint = r.ReadString(),
                };
                int n = r.ReadInt32();
                stamp.Inputs = new List<StampFile>(n);
                for (int j = 0; j < n; j++) stamp.Inputs.Add(ReadFileEntry(r));
                n = r.ReadInt32();
                for (int j = 0; j < n; j++)
                {
                    string key = r.ReadString();
                    stamp.Config[key] = r.ReadBoolean() ? r.ReadString() : null;
                }
                n = r.ReadInt32();
                stamp.Declared = new List<string>(n);
                for (int j = 0; j < n; j++) stamp.Declared.Add(r.ReadString());
                n = r.ReadInt32();
                stamp.Outputs = new List<StampFile>(n);
                for (int j = 0; j < n; j++) stamp.Outputs.Add(ReadFileEntry(r));
                result[stamp.Unit] = (file, stamp);
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException)
        {
            result.Clear(); // only a cache of the JSON files
        }
        return result;
    }

    public void SaveIndex(string task, IEnumerable<(FileStamp File, Stamp Stamp)> entries)
    {
        string path = IndexPath(task);
        Directory.CreateDirectory(_root);
        var list = entries.OrderBy(e => e.Stamp.Unit, StringComparer.Ordinal).ToList();
        string temp = path + "." + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next())) + ".tmp";
        using (var w = new BinaryWriter(new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            w.Write(IndexMagic);
            w.Write(list.Count);
            foreach (var (file, stamp) in list)
            {
                w.Write(file.Size);
                w.Write(file.MtimeTicks);
                w.Write(stamp.Format);
                w.Write(stamp.Task);
                w.Write(stamp.Unit);
                w.Write(stamp.Version);
                w.Write(stamp.Fingerprint);
                w.Write(stamp.Inputs.Count);
                foreach (var f in stamp.Inputs) WriteFileEntry(w, f);
                w.Write(stamp.Config.Count);
                foreach (var (key, value) in stamp.Config)
                {
                    w.Write(key);
                    w.Write(value is not null);
                    if (value is not null) w.Write(value);
                }
                w.Write(stamp.Declared.Count);
                foreach (var d in stamp.Declared) w.Write(d);
                w.Write(stamp.Outputs.Count);
                foreach (var f in stamp.Outputs) WriteFileEntry(w, f);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    private const uint IndexMagic = 0x43534932; // "CSI2"

    private static StampFile ReadFileEntry(BinaryReader r) =>
        new() { Path = r.ReadString(), Sha256 = r.ReadString(), Size = r.ReadInt64(), Mtime = r.ReadInt64() };

    private static void WriteFileEntry(BinaryWriter w, StampFile f)
    {
        w.Write(f.Path);
        w.Write(f.Sha256);
        w.Write(f.Size);
        w.Write(f.Mtime);
    }

    /// <summary>
    /// The id itself when it is a short plain file name; otherwise a sanitised prefix plus 16 hex digits of its
    /// SHA-256, so ids with slashes or of any length still map to distinct files.
    /// </summary>
    public static string SafeFileName(string id)
    {
        bool plain = id.Length is > 0 and <= 100 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
        if (plain && !id.EndsWith(".tmp", StringComparison.Ordinal)) return id;
        var prefix = new StringBuilder();
        foreach (char c in id)
        {
            if (prefix.Length == 60) break;
            prefix.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
        return prefix + "~" + hash;
    }
}
