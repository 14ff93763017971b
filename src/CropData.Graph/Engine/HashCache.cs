using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace CropData.Graph.Engine;

/// <summary>
/// SHA-256 of files, cached by full path + size + mtime so an unchanged file is never read twice. Persisted as
/// one binary file in the state directory (temp + rename), loaded on first use: a no-op check is answered
/// from the sizes and mtimes the stamps recorded and never needs it.
/// A hash is "trusted" (persisted, and recorded with its size and mtime in stamps) only when the file's mtime
/// was older than <see cref="TrustMargin"/> when it was hashed: file systems stamp mtimes from a coarse clock
/// (a few ms; 1-2 s on some), so a same-size rewrite right after hashing could keep the mtime and the stale
/// hash would be believed (git's "racy clean" problem). Untrusted hashes serve the current run only.
/// </summary>
internal sealed class HashCache
{
    private const uint Magic = 0x43484331; // "CHC1"
    internal static readonly TimeSpan TrustMargin = TimeSpan.FromSeconds(2);

    // What was loaded is only read (Dictionary is safe for concurrent readers); what this run learns goes to
    // the overlay. Loading 100k entries straight into a ConcurrentDictionary cost more than the no-op check.
    private readonly Lazy<Dictionary<string, Entry>> _loaded;
    private readonly ConcurrentDictionary<string, Entry> _fresh = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Path, long Size, long Mtime), Lazy<Entry>> _inflight = new();
    private readonly string? _file;
    private int _dirty;
    private long _filesHashed;
    private long _bytesHashed;

    /// <summary>Size -1 marks a forgotten path in the overlay.</summary>
    private readonly record struct Entry(long Size, long MtimeTicks, string Sha256, bool Trusted);

    private HashCache(string? file, IBuildLog? log)
    {
        _file = file;
        _loaded = new Lazy<Dictionary<string, Entry>>(() => file is null ? new(StringComparer.Ordinal) : Read(file, log));
    }

    public long FilesHashed => Interlocked.Read(ref _filesHashed);
    public long BytesHashed => Interlocked.Read(ref _bytesHashed);
    public bool IsLoaded => _loaded.IsValueCreated;
    public int Count => Snapshot().Count();

    /// <summary>The cache of this file (read when first needed; a missing or foreign file starts empty).</summary>
    public static HashCache Load(string file, IBuildLog? log = null) => new(file, log);

    // Runs once per build over 100k entries: unoptimised tier-0 code made it the slowest step of a build.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<string, Entry> Read(string file, IBuildLog? log)
    {
        try
        {
            if (!File.Exists(file)) return new Dictionary<string, Entry>(StringComparer.Ordinal);
            using var reader = new BinaryReader(new MemoryStream(File.ReadAllBytes(file)), Encoding.UTF8);
            if (reader.ReadUInt32() != Magic) throw new InvalidDataException("not a hash cache");
            int count = reader.ReadInt32();
            if (count < 0) throw new InvalidDataException("negative count");
            var entries = new Dictionary<string, Entry>(count, StringComparer.Ordinal);
            Span<byte> hash = stackalloc byte[32];
            for (int i = 0; i < count; i++)
            {
                string path = reader.ReadString();
                long size = reader.ReadInt64();
                long mtime = reader.ReadInt64();
                if (reader.Read(hash) != 32) throw new EndOfStreamException();
                entries[path] = new Entry(size, mtime, Convert.ToHexStringLower(hash), true);
            }
            return entries;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or UnauthorizedAccessException)
        {
            log?.Debug($"hash cache {file} unreadable ({ex.Message}); starting empty");
            return new Dictionary<string, Entry>(StringComparer.Ordinal);
        }
    }

    public static FileStamp? Stat(string fullPath) => FileStat.Of(fullPath);

    private bool TryGetEntry(string fullPath, out Entry entry)
    {
        if (_fresh.TryGetValue(fullPath, out entry)) return entry.Size >= 0;
        return _loaded.Value.TryGetValue(fullPath, out entry);
    }

    /// <summary>The file's SHA-256 (lower-case hex), or null when the file does not exist.</summary>
    public string? TryGetHash(string fullPath) =>
        Stat(fullPath) is { } stat ? TryGetHash(fullPath, stat, out _) : null;

    /// <summary>The SHA-256 of the file that had <paramref name="stat"/> a moment ago; null if it is gone.</summary>
    public string? TryGetHash(string fullPath, FileStamp stat, out bool trusted)
    {
        if (TryGetEntry(fullPath, out var e) && e.Size == stat.Size && e.MtimeTicks == stat.MtimeTicks)
        {
            trusted = e.Trusted;
            return e.Sha256;
        }
        return HashOnce(fullPath, stat, out trusted);
    }

    /// <summary>
    /// The file's SHA-256 read from its bytes during this run, never an entry of an earlier run: what --force and
    /// --repair trust (a same-size, same-mtime corruption is invisible to the cache). Null when the file is gone.
    /// </summary>
    public string? HashFromBytes(string fullPath, out bool trusted)
    {
        trusted = false;
        return Stat(fullPath) is { } stat ? HashOnce(fullPath, stat, out trusted) : null;
    }

    private string? HashOnce(string fullPath, FileStamp stat, out bool trusted)
    {
        // Two units reading the same shared input (the CDL raster) must not both hash it.
        var key = (fullPath, stat.Size, stat.MtimeTicks);
        var lazy = _inflight.GetOrAdd(key, _ => new Lazy<Entry>(() => HashAndRecord(fullPath, stat)));
        try
        {
            var entry = lazy.Value;
            trusted = entry.Trusted;
            return entry.Sha256;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _inflight.TryRemove(key, out _);
            trusted = false;
            return null;
        }
    }

    private Entry HashAndRecord(string fullPath, FileStamp stat)
    {
        var hashedAt = DateTime.UtcNow;
        string hash = HashFile(fullPath, out long length);
        Interlocked.Increment(ref _filesHashed);
        Interlocked.Add(ref _bytesHashed, length);
        bool trusted = stat.MtimeTicks < (hashedAt - TrustMargin).Ticks;
        // Re-stat: if the file changed while it was read, the hash belongs to neither version; keep it out.
        if (Stat(fullPath) is not { } after || after != stat || length != stat.Size)
            return new Entry(stat.Size, stat.MtimeTicks, hash, false);
        var entry = new Entry(stat.Size, stat.MtimeTicks, hash, trusted);
        _fresh[fullPath] = entry;
        Interlocked.Exchange(ref _dirty, 1);
        return entry;
    }

    /// <summary>
    /// Records the hash of an output the engine has just put in place, hashed from its temp after the unit
    /// returned, and returns the file's stat. It is trusted at once: the unit, its only writer, has finished,
    /// so the racy same-tick rewrite the trust margin guards inputs against cannot come from it.
    /// </summary>
    public FileStamp? Register(string fullPath, string sha256)
    {
        if (Stat(fullPath) is not { } stat) return null;
        _fresh[fullPath] = new Entry(stat.Size, stat.MtimeTicks, sha256, Trusted: true);
        Interlocked.Exchange(ref _dirty, 1);
        return stat;
    }

    public void Forget(string fullPath)
    {
        _fresh[fullPath] = new Entry(-1, 0, "", false);
        Interlocked.Exchange(ref _dirty, 1);
    }

    public static string HashFile(string path) => HashFile(path, out _);

    public static string HashFile(string path, out long length)
    {
        // Unbuffered stream and one pooled 1 MiB buffer: a FileStream buffer per file made a cold build of
        // 100k inputs spend its time in the GC, and SHA256.HashData(Stream) reads 4 KiB at a time.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }
            length = total;
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private IEnumerable<KeyValuePair<string, Entry>> Snapshot()
    {
        foreach (var kv in _loaded.Value)
            if (!_fresh.ContainsKey(kv.Key)) yield return kv;
        foreach (var kv in _fresh)
            if (kv.Value.Size >= 0) yield return kv;
    }

    /// <summary>Writes the cache (temp + rename) if anything changed since the last save.</summary>
    public void SaveIfDirty()
    {
        if (_file is null || Interlocked.Exchange(ref _dirty, 0) == 0) return;
        var snapshot = Snapshot().Where(kv => kv.Value.Trusted).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
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
