using System.Globalization;
using System.Text;

namespace CropData.Dataset.Chips;

/// <summary>
/// <c>track_chips.csv</c>, deterministic: rows sorted by chip id (ordinal), "\n" line ends, UTF-8 without BOM,
/// invariant culture. Percentages are written in the shortest form that parses back to the identical double
/// ("R" round-trip format: e.g. <c>0</c>, <c>4.998405612244898</c>), so a read-back row compares equal and the
/// filter's strict <c>&lt; 5</c> decides the same way on a reread file. Dates are <c>yyyy-MM-dd</c>.
/// </summary>
public static class TrackChipsCsv
{
    public static readonly IReadOnlyList<string> Header =
    [
        "chip_id", "tile", "valid_first", "valid_second", "valid_third",
        "bad_pct_first", "bad_pct_second", "bad_pct_third", "bad_pct_max", "na_count",
        "first_image_date", "second_image_date", "third_image_date",
    ];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Format(IEnumerable<ChipTrackingRow> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Header)).Append('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rows.OrderBy(r => r.ChipId, StringComparer.Ordinal))
        {
            if (!seen.Add(r.ChipId)) throw new ArgumentException($"chip {r.ChipId} has two tracking rows");
            if (r.ChipId.Contains(',') || r.Tile.Contains(','))
                throw new ArgumentException($"chip id '{r.ChipId}' / tile '{r.Tile}' must not contain a comma");
            string[] f =
            [
                r.ChipId, r.Tile, Int(r.ValidFirst), Int(r.ValidSecond), Int(r.ValidThird),
                Real(r.BadPctFirst), Real(r.BadPctSecond), Real(r.BadPctThird), Real(r.BadPctMax),
                r.NaCount.ToString(CultureInfo.InvariantCulture),
                Date(r.FirstImageDate), Date(r.SecondImageDate), Date(r.ThirdImageDate),
            ];
            sb.Append(string.Join(',', f)).Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string path, IEnumerable<ChipTrackingRow> rows)
    {
        var text = Format(rows);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = path + ".partial";
        File.WriteAllText(temp, text, Utf8);
        File.Move(temp, path, overwrite: true);
    }

    public static IReadOnlyList<ChipTrackingRow> Read(string path) => Parse(File.ReadAllText(path), path);

    public static IReadOnlyList<ChipTrackingRow> Parse(string text, string source = "track_chips.csv")
    {
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count == 0 || lines[0] != string.Join(',', Header))
            throw new FormatException($"{source}: header must be '{string.Join(',', Header)}'");
        var rows = new List<ChipTrackingRow>();
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != Header.Count)
                throw new FormatException($"{source}:{i + 1}: expected {Header.Count} fields, got {f.Length}");
            try
            {
                rows.Add(new ChipTrackingRow(f[0], f[1],
                    ParseInt(f[2]), ParseInt(f[3]), ParseInt(f[4]),
                    ParseReal(f[5]), ParseReal(f[6]), ParseReal(f[7]), ParseReal(f[8]),
                    long.Parse(f[9], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    ParseDate(f[10]), ParseDate(f[11]), ParseDate(f[12])));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{source}:{i + 1}: {e.Message} in '{lines[i]}'", e);
            }
        }
        return rows;
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Real(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    private static double ParseReal(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static DateOnly ParseDate(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
