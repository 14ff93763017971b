using System.Globalization;

namespace CropData.Dataset.Finishing;

/// <summary>
/// The two spellings of a chip id ("Grids and names"): the full name <c>chip_257_266</c> used in file names and the
/// short id <c>257_266</c> written to the split CSVs (column <c>ids</c>), which the baseline matches against
/// <c>'_'.join(stem.split('_')[1:3])</c> of each file name.
/// </summary>
public static class ChipIds
{
    /// <summary>"chip_257_266" or "257_266" (surrounding blanks and a UTF-8 BOM ignored) → "chip_257_266".</summary>
    public static string Full(string id) => "chip_" + Short(id);

    /// <summary>"chip_257_266" or "257_266" → "257_266". Throws naming the value when it is neither form.</summary>
    public static string Short(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var s = id.Trim().TrimStart('\uFEFF');
        if (s.StartsWith("chip_", StringComparison.Ordinal)) s = s[5..];
        var parts = s.Split('_');
        if (parts.Length != 2 || !IsDigits(parts[0]) || !IsDigits(parts[1]))
            throw new FormatException($"chip id '{id}' is not like chip_257_266 or 257_266 (row_col, digits only)");
        return s;
    }

    /// <summary>True when <paramref name="id"/> is a chip id in either spelling.</summary>
    public static bool TryShort(string id, out string shortId)
    {
        try { shortId = Short(id); return true; }
        catch (FormatException) { shortId = ""; return false; }
    }

    /// <summary>File names of a chip as the filter stage writes them (stage 9/10) and the HF release keeps them.</summary>
    public static string MergedFile(string id) => Full(id) + "_merged.tif";

    public static string MaskFile(string id) => Full(id) + ".mask.tif";

    /// <summary>Row and column encoded in the id (spec: chip_{row:000}_{col:000}).</summary>
    public static (int Row, int Col) RowCol(string id)
    {
        var parts = Short(id).Split('_');
        return (int.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture),
                int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
