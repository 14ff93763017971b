using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace CropData.Graph.Engine;

/// <summary>
/// SHA-256 of files, cached by full path + size + mtime so an unchanged file is never read twice. Persisted as
/// one binary file in the state directory (temp + rename). An entry whose mtime is within
/// <see cref="TrustMargin"/> of the moment it was hashed is used for the current run only and not saved:
/// file systems stamp mtimes from a coarse clock (a few ms; 1-2 s on some), so a rewrite of the same size
/// right after hashing could keep the same mtime and the stale hash would be believed ("racy git" problem).
/// </summary>
internal sealed class HashCache
{
    private const uint Magic = 0x43484331; // "CHC1"
    internal static readonly TimeSpan TrustMargin = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Entry> _entries;
    private readonly ConcurrentDictionary<(string Path, long Size, long Mtime), Lazy<string>> _inflight = new();
    private readonly string? _file;
    private int _dirty;
    private long _filesHashed;
    private long _bytesHashed;

    private readonly record struct Entry(long Size, long MtimeTicks, string Sha256, bool Persist);

    internal readonly record struct FileStamp(long Size, long MtimeTicks);

    private HashCache(string? file, ConcurrentDictionary<string, Entry> entries)
    {
        _file = file;
        _entries = entries;
    }

    public long FilesHashed => Interlocked.Read(ref _filesHashed);
    public long BytesHashed => Interlocked.Read(ref _bytesHashed);
    public int Count => _entries.Count;

    public static HashCache InMemory() => new(null, new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal));

    /// <summary>Loads the cache; a missing, truncated or foreign file just starts an empty cache.</summary>
    public static HashCache Load(string file, IBuildLog? log = null)
    {
        var entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var reader = new BinaryReader(stream, Encoding.UTF8);
                if (reader.ReadUInt32() != Magic) throw new InvalidDataException("not a hash cache");
                int count = reader.ReadInt32();
                for (int i = 0; i < count; i++)
                {
                    string path = reader.ReadString();
                    long size = reader.ReadInt64();
                    long mtime = reader.ReadInt64();
                    string hash = Convert.ToHexStringLower(reader.ReadBytes(32));
                    entries[path] = new Entry(size, mtime, hash, true);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or UnauthorizedAccessException)
        {
            log?.Debug($"hash cache {file} unreadable ({ex.Message}); starting empty");
            entries.Clear();
        }
        return new HashCache(file, entries);
    }

    public static FileStamp? Stat(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists) return null;
        return new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks);
    }

    /// <summary>The file's SHA-256 (lower-case hex), or null when the file does not exist.</summary>
    public string? TryGetHash(string fullPath)
    {
        var stat = Stat(fullPath);
        if (stat is not { } s) return null;
        if (_entries.TryGetValue(fullPath, out var e) && e.Size == s.Size && e.MtimeTicks == s.MtimeTicks)
            return e.Sha256;
        // Two units reading the same shared input (the CDL raster) must not both hash it.
        var lazy = _inflight.GetOrAdd((fullPath, s.Size, s.MtimeTicks), _ => new Lazy<string>(() => HashAndRecord(fullPath, s)));
        try
        {
            return lazy.Value;
        }
        catch (FileNotFoundException)
        {
            _inflight.TryRemove((fullPath, s.Size, s.MtimeTicks), out _);
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            _inflight.TryRemove((fullPath, s.Size, s.MtimeTicks), out _);
            return null;
        }
    }

    private string HashAndRecord(string fullPath, FileStamp stat)
    {
        var hashedAt = DateTime.UtcNow;
        string hash = HashFile(fullPath, out long length);
        Interlocked.Increment(ref _filesHashed);
        Interlocked.Add(ref _bytesHashed, length);
        // Re-stat: if the file changed while it was read, the hash belongs to neither version; keep it out.
        if (Stat(fullPath) is { } after && after == stat && length == stat.Size)
            Put(fullPath, stat, hash, hashedAt);
        return hash;
    }

    /// <summary>Records the hash of a file the engine has just put in place (hashed from its temp).</summary>
    public void Register(string fullPath, string sha256)
    {
        if (Stat(fullPath) is { } stat) Put(fullPath, stat, sha256, DateTime.UtcNow);
    }

    public void Forget(string fullPath)
    {
        if (_entries.TryRemove(fullPath, out _)) Interlocked.Exchange(ref _dirty, 1);
    }

    private void Put(string fullPath, FileStamp stat, string hash, DateTime hashedAtUtc)
    {
        bool persist = stat.MtimeTicks < (hashedAtUtc - TrustMargin).Ticks;
        _entries[fullPath] = new Entry(stat.Size, stat.MtimeTicks, hash, persist);
        Interlocked.Exchange(ref _dirty, 1);
    }

    public static string HashFile(string path) => HashFile(path, out _);

    public static string HashFile(string path, out long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        length = stream.Length;
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes the cache (temp + rename) if anything changed since the last save.</summary>
    public void SaveIfDirty()
    {
        if (_file is null || Interlocked.Exchange(ref _dirty, 0) == 0) return;
        var snapshot = _entries.Where(kv => kv.Value.Persist).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        string temp = _file + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(snapshot.Length);
            foreach (var (path, e) in snapshot)
            {
                writer.Write(path);
                writer.Write(e.Size);
                writer.Write(e.MtimeTicks);
                writer.Write(Convert.FromHexString(e.Sha256));
            }
        }
        File.Move(temp, _file, overwrite: true);
    }
}
