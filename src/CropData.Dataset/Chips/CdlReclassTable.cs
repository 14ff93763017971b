using System.Globalization;

namespace CropData.Dataset.Chips;

/// <summary>Pixels of a CDL window that no table row maps: code → pixel count (they were written as class 0).</summary>
public sealed record ReclassResult(long UnmappedPixels, IReadOnlyDictionary<byte, long> UnmappedCodes);

/// <summary>
/// CDL code → mask class (spec stage 9, <c>data/classes/cdl_total_dst.csv</c>: <c>old_class_value</c> →
/// <c>new_class_value</c>, 13 classes). The original crashed on a code missing from the table; here it maps to
/// class 0 (No Data) and is counted. CDL code 0 (background) has no row either and is counted the same way.
/// </summary>
public sealed class CdlReclassTable
{
    private readonly short[] _map = new short[256];

    /// <summary>The table's rows, sorted by CDL code.</summary>
    public IReadOnlyDictionary<byte, byte> Mapping { get; }
    public string Source { get; }

    public CdlReclassTable(IReadOnlyDictionary<byte, byte> mapping, string source = "reclass table")
    {
        Array.Fill(_map, (short)-1);
        foreach (var (code, cls) in mapping) _map[code] = cls;
        Mapping = new SortedDictionary<byte, byte>(mapping.ToDictionary(p => p.Key, p => p.Value));
        Source = source;
    }

    /// <summary>Reads the CSV by header name (column order and extra columns do not matter).</summary>
    public static CdlReclassTable Load(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException e) { throw new FormatException($"{path}: cannot read the CDL reclass table: {e.Message}", e); }
        if (lines.Length == 0) throw new FormatException($"{path}: the CDL reclass table is empty");
        var header = lines[0].TrimStart('\uFEFF').Split(',').Select(h => h.Trim()).ToList();
        int oldCol = header.IndexOf("old_class_value"), newCol = header.IndexOf("new_class_value");
        if (oldCol < 0 || newCol < 0)
            throw new FormatException($"{path}: header must name old_class_value and new_class_value, got '{lines[0]}'");
        var map = new Dictionary<byte, byte>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var f = lines[i].Split(',');
            if (f.Length <= Math.Max(oldCol, newCol))
                throw new FormatException($"{path}:{i + 1}: expected {header.Count} columns, got {f.Length}");
            var code = ParseByte(f[oldCol], path, i + 1, "old_class_value");
            var cls = ParseByte(f[newCol], path, i + 1, "new_class_value");
            if (!map.TryAdd(code, cls) && map[code] != cls)
                throw new FormatException($"{path}:{i + 1}: CDL code {code} is mapped twice ({map[code]} and {cls})");
        }
        if (map.Count == 0) throw new FormatException($"{path}: the CDL reclass table has no rows");
        return new CdlReclassTable(map, path);
    }

    public bool TryMap(byte code, out byte cls)
    {
        var m = _map[code];
        cls = m < 0 ? (byte)0 : (byte)m;
        return m >= 0;
    }

    /// <summary>Reclasses <paramref name="cdl"/> into <paramref name="classes"/>; unmapped codes become 0 and are counted.</summary>
    public ReclassResult Apply(ReadOnlySpan<byte> cdl, Span<byte> classes)
    {
        if (classes.Length < cdl.Length) throw new ArgumentException("the class buffer is shorter than the CDL window");
        Span<long> unmapped = stackalloc long[256];
        for (var i = 0; i < cdl.Length; i++)
        {
            var m = _map[cdl[i]];
            if (m < 0) { unmapped[cdl[i]]++; classes[i] = 0; }
            else classes[i] = (byte)m;
        }
        var codes = new SortedDictionary<byte, long>();
        long total = 0;
        for (var c = 0; c < 256; c++)
            if (unmapped[c] > 0) { codes[(byte)c] = unmapped[c]; total += unmapped[c]; }
        return new ReclassResult(total, codes);
    }

    private static byte ParseByte(string s, string path, int line, string column) =>
        byte.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b
            : throw new FormatException($"{path}:{line}: {column} '{s}' is not a code 0..255");
}
