using System.Runtime.CompilerServices;
using System.Text;

namespace CropData.Graph.Engine;

/// <summary>
/// What the no-op fast path needs from one unit's stamp: the stats its inputs and outputs were vouched for,
/// the version, config and declared outputs, and a digest of the input paths. No hashes: when every stat
/// still matches, the bytes are the ones the stamp recorded, so the recipe is unchanged.
/// </summary>
internal sealed class IndexEntry
{
    public required FileStamp File { get; init; }
    public required string Unit { get; init; }
    public required string Version { get; init; }
    /// <summary>The input paths joined by NUL: compared piece by piece, no hashing, one string per unit.</summary>
    public required string InputPaths { get; init; }
    public required FileStamp[] Inputs { get; init; }
    public required KeyValuePair<string, string?>[] Config { get; init; }
    public required string[] Declared { get; init; }
    public required (string Path, FileStamp Stat)[] Outputs { get; init; }

    public static IndexEntry From(Stamp stamp, FileStamp file) => new()
    {
        File = file,
        Unit = stamp.Unit,
        Version = stamp.Version,
        InputPaths = string.Join('\0', stamp.Inputs.Select(i => i.Path)),
        Inputs = stamp.Inputs.Select(i => new FileStamp(i.Size, i.Mtime)).ToArray(),
        Config = stamp.Config.ToArray(),
        Declared = stamp.Declared.ToArray(),
        Outputs = stamp.Outputs.Select(o => (o.Path, new FileStamp(o.Size, o.Mtime))).ToArray(),
    };

    public bool SameAs(IndexEntry o) =>
        File == o.File && Unit == o.Unit && Version == o.Version && InputPaths == o.InputPaths
        && Inputs.AsSpan().SequenceEqual(o.Inputs) && Config.SequenceEqual(o.Config) && Declared.SequenceEqual(o.Declared)
        && Outputs.SequenceEqual(o.Outputs);

    /// <summary>Whether these full paths, shown relative to the dataset folder, are the indexed input paths.</summary>
    public bool SamePaths(string[] fullPaths, BuildSession s)
    {
        var joined = InputPaths.AsSpan();
        if (fullPaths.Length == 0) return joined.IsEmpty;
        int pos = 0;
        for (int i = 0; i < fullPaths.Length; i++)
        {
            if (i > 0)
            {
                if (pos >= joined.Length || joined[pos] != '\0') return false;
                pos++;
            }
            var p = s.DisplaySpan(fullPaths[i]);
            if (pos + p.Length > joined.Length || !joined.Slice(pos, p.Length).SequenceEqual(p)) return false;
            pos += p.Length;
        }
        return pos == joined.Length;
    }
}

/// <summary>
/// One binary file per task next to its stamp folder, so a no-op check reads one file instead of thousands of
/// JSON stamps. Only a cache: an entry counts only while its JSON stamp still has the size and mtime recorded
/// (stamps are written by the engine alone), and anything unusual falls back to the JSON.
/// </summary>
internal static class StampIndex
{
    private const uint Magic = 0x43534934; // "CSI4"

    public static string PathFor(string stateDirectory, string task) =>
        Path.Combine(stateDirectory, "stamps", StampStore.SafeFileName(task) + ".index");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Dictionary<string, IndexEntry> Load(string path)
    {
        var result = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(path)) return result;
            using var r = new BinaryReader(new MemoryStream(File.ReadAllBytes(path)), Encoding.UTF8);
            if (r.ReadUInt32() != Magic) return result;
            int count = r.ReadInt32();
            var strings = new Dictionary<string, string>(StringComparer.Ordinal); // versions and config repeat
            string Shared(string s) => strings.TryGetValue(s, out var v) ? v : strings[s] = s;
            for (int i = 0; i < count; i++)
            {
                var file = new FileStamp(r.ReadInt64(), r.ReadInt64());
                string unit = r.ReadString();
                string version = Shared(r.ReadString());
                string paths = r.ReadString();
                var inputs = new FileStamp[r.ReadInt32()];
                for (int j = 0; j < inputs.Length; j++) inputs[j] = new FileStamp(r.ReadInt64(), r.ReadInt64());
                var config = new KeyValuePair<string, string?>[r.ReadInt32()];
                for (int j = 0; j < config.Length; j++)
                {
                    string key = Shared(r.ReadString());
                    config[j] = new(key, r.ReadBoolean() ? Shared(r.ReadString()) : null);
                }
                var declared = new string[r.ReadInt32()];
                for (int j = 0; j < declared.Length; j++) declared[j] = r.ReadString();
                var outputs = new (string, FileStamp)[r.ReadInt32()];
                for (int j = 0; j < outputs.Length; j++) outputs[j] = (r.ReadString(), new FileStamp(r.ReadInt64(), r.ReadInt64()));
                result[unit] = new IndexEntry
                {
                    File = file, Unit = unit, Version = version, InputPaths = paths, Inputs = inputs,
                    Config = config, Declared = declared, Outputs = outputs,
                };
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException or OverflowException)
        {
            result.Clear();
        }
        return result;
    }

    public static void Save(string path, IEnumerable<IndexEntry> entries)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var list = entries.OrderBy(e => e.Unit, StringComparer.Ordinal).ToList();
        string temp = path + "." + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next())) + ".tmp";
        using (var w = new BinaryWriter(new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(list.Count);
            foreach (var e in list)
            {
                w.Write(e.File.Size);
                w.Write(e.File.MtimeTicks);
                w.Write(e.Unit);
                w.Write(e.Version);
                w.Write(e.InputPaths);
                w.Write(e.Inputs.Length);
                foreach (var i in e.Inputs) { w.Write(i.Size); w.Write(i.MtimeTicks); }
                w.Write(e.Config.Length);
                foreach (var (key, value) in e.Config)
                {
                    w.Write(key);
                    w.Write(value is not null);
                    if (value is not null) w.Write(value);
                }
                w.Write(e.Declared.Length);
                foreach (var d in e.Declared) w.Write(d);
                w.Write(e.Outputs.Length);
                foreach (var (p, st) in e.Outputs) { w.Write(p); w.Write(st.Size); w.Write(st.MtimeTicks); }
            }
        }
        File.Move(temp, path, overwrite: true);
    }
}
