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

    /// <summary>
    /// The id itself when it is a short plain file name; otherwise a sanitised prefix plus 16 hex digits of its
    /// SHA-256, so ids with slashes or of any length still map to distinct files.
    /// </summary>
    public static string SafeFileName(string id)
    {
        bool plain = id.Length is > 0 and <= 100 && id[0] != '.';
        for (int i = 0; plain && i < id.Length; i++)
            plain = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '_' or '-' or '.';
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
