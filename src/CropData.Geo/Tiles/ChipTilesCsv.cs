using System.Globalization;
using System.Text;

namespace CropData.Geo;

/// <summary>
/// <c>chip_tiles.csv</c>: chip_id, chip_x, chip_y (EPSG:4326 chip centre), tile — the columns of the original's
/// chip table. Written sorted by chip id, invariant culture, <see cref="Decimals"/> fixed decimals, '\n' line ends.
/// Every field is an id or a number, so no field is ever quoted; the reader rejects quotes rather than guess.
/// </summary>
public static class ChipTilesCsv
{
    /// <summary>1e-8 degree ≈ 1 mm.</summary>
    public const int Decimals = 8;

    public const string Header = "chip_id,chip_x,chip_y,tile";

    public static void Write(string path, IEnumerable<ChipTile> rows)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToCsv(rows), new UTF8Encoding(false));
    }

    public static string ToCsv(IEnumerable<ChipTile> rows)
    {
        var fmt = "F" + Decimals.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows.OrderBy(r => r.ChipId, StringComparer.Ordinal))
            sb.Append(r.ChipId).Append(',')
              .Append(r.ChipX.ToString(fmt, CultureInfo.InvariantCulture)).Append(',')
              .Append(r.ChipY.ToString(fmt, CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Tile).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads a chip_tiles.csv — or the original's chip_df.csv, which has the same columns.</summary>
    public static IReadOnlyList<ChipTile> Read(string path)
    {
        if (!File.Exists(path)) throw new GeoInputException($"chip tile table '{path}' does not exist");
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.TrimEnd('\r');
        var cols = header?.Split(',') ?? [];
        int Col(string name) => Array.IndexOf(cols, name) is var i and >= 0 ? i
            : throw new GeoInputException($"'{path}' has header '{header}', expected columns {Header}");
        var (iId, iX, iY, iTile) = (Col("chip_id"), Col("chip_x"), Col("chip_y"), Col("tile"));
        var rows = new List<ChipTile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var n = 1;
        while (reader.ReadLine() is { } raw)
        {
            n++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != cols.Length || line.Contains('"'))
                throw new GeoInputException($"'{path}' line {n}: '{line}' does not have the {cols.Length} unquoted fields of '{header}'");
            var id = f[iId];
            if (!ChipId.TryParse(id, out _))
                throw new GeoInputException($"'{path}' line {n}: chip_id '{id}' is not a chip id (chip_RRR_CCC)");
            if (!double.TryParse(f[iX], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ||
                !double.TryParse(f[iY], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                throw new GeoInputException($"'{path}' line {n} ({id}): chip_x/chip_y '{f[iX]}', '{f[iY]}' are not numbers (expected EPSG:4326 degrees)");
            if (!MgrsTile.TryParse(f[iTile], out var t))
                throw new GeoInputException($"'{path}' line {n} ({id}): tile '{f[iTile]}' is not an MGRS tile id like 14SPJ");
            if (!seen.Add(id)) throw new GeoInputException($"'{path}' lists chip {id} twice");
            rows.Add(new ChipTile(id, x, y, t.Id));
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.ChipId, b.ChipId));
        return rows;
    }
}
