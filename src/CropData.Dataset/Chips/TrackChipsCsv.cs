using System.Globalization;
using System.Text;

namespace CropData.Dataset.Chips;

/// <summary>
/// <c>track_chips.csv</c>, deterministic: rows sorted by chip id (ordinal), "\n" line ends, UTF-8 without BOM,
/// invariant culture. Percentages are written in the shortest form that parses back to the identical double
/// ("R" round-trip format: e.g. <c>0</c>, <c>4.998405612244898</c>), so a read-back row compares equal and the
/// filter's strict <c>&lt; 5</c> decides the same way on a reread file. Dates are <c>yyyy-MM-dd</c>. The per-date
/// columns follow the chip's date count: the published names for 3 (valid_first … third_image_date), numbered ones
/// otherwise (valid_1 … image_date_N).
/// </summary>
public static class TrackChipsCsv
{
    private static readonly string[] Ordinals = ["first", "second", "third"];

    /// <summary>The published header (three dates).</summary>
    public static IReadOnlyList<string> Header { get; } = HeaderFor(3);

    /// <summary>The header of a table whose chips have <paramref name="dates"/> dates.</summary>
    public static IReadOnlyList<string> HeaderFor(int dates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dates, 1);
        string Per(string prefix, string suffix, int i) => dates == 3 ? $"{prefix}{Ordinals[i]}{suffix}" : $"{prefix}{i + 1}{suffix}";
        var range = Enumerable.Range(0, dates).ToList();
        return
        [
            "chip_id", "tile", .. range.Select(i => Per("valid_", "", i)), .. range.Select(i => Per("bad_pct_", "", i)), "bad_pct_max", "na_count",
            .. range.Select(i => dates == 3 ? $"{Ordinals[i]}_image_date" : $"image_date_{i + 1}"),
        ];
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Format(IEnumerable<ChipTrackingRow> rows)
    {
        var list = rows.OrderBy(r => r.ChipId, StringComparer.Ordinal).ToList();
        int dates = list.Count > 0 ? list[0].DateCount : 3;
        var sb = new StringBuilder();
        sb.Append(string.Join(',', HeaderFor(dates))).Append('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in list)
        {
            if (!seen.Add(r.ChipId)) throw new ArgumentException($"chip {r.ChipId} has two tracking rows");
            if (r.ChipId.Contains(',') || r.Tile.Contains(','))
                throw new ArgumentException($"chip id '{r.ChipId}' / tile '{r.Tile}' must not contain a comma");
            if (r.DateCount != dates || r.Valid.Count != dates || r.BadPct.Count != dates)
                throw new ArgumentException($"chip {r.ChipId} has {r.DateCount} dates, the table's chips {dates}");
            string[] f =
            [
                r.ChipId, r.Tile, .. r.Valid.Select(Int), .. r.BadPct.Select(Real), Real(r.BadPctMax),
                r.NaCount.ToString(CultureInfo.InvariantCulture), .. r.ImageDates.Select(Date),
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
        var columns = lines.Count > 0 ? lines[0].Split(',') : [];
        // 4 fixed columns (chip_id, tile, bad_pct_max, na_count) and 3 per date.
        int dates = (columns.Length - 4) / 3;
        if (dates < 1 || (columns.Length - 4) % 3 != 0 || !columns.SequenceEqual(HeaderFor(dates)))
            throw new FormatException($"{source}: header must be '{string.Join(',', Header)}' (or its form for another number of dates), " +
                                      $"not '{(lines.Count > 0 ? lines[0] : "")}'");
        var rows = new List<ChipTrackingRow>();
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != columns.Length)
                throw new FormatException($"{source}:{i + 1}: expected {columns.Length} fields, got {f.Length}");
            try
            {
                rows.Add(new ChipTrackingRow(f[0], f[1],
                    f[2..(2 + dates)].Select(ParseInt).ToArray(),
                    f[(2 + dates)..(2 + 2 * dates)].Select(ParseReal).ToArray(),
                    ParseReal(f[2 + 2 * dates]),
                    long.Parse(f[3 + 2 * dates], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    f[(4 + 2 * dates)..].Select(ParseDate).ToArray()));
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
