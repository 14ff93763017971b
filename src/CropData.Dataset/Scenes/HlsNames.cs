using System.Globalization;

namespace CropData.Dataset.Scenes;

/// <summary>
/// Names of HLS scenes and files ("Grids and names" in the spec): scene <c>HLS.S30.T14SPJ.2022074T171051.v2.0</c>,
/// band file <c>&lt;scene&gt;.&lt;band&gt;.tif</c>, tile <c>14SPJ</c> (STAC/CMR write <c>T14SPJ</c>).
/// </summary>
public static class HlsNames
{
    /// <summary>The default bands of the pipeline: six reflectance bands and Fmask.</summary>
    public static readonly IReadOnlyList<string> DefaultBands = ["B02", "B03", "B04", "B8A", "B11", "B12", "Fmask"];

    /// <summary>Canonical tile id: "T14SPJ" and "14SPJ" both give "14SPJ".</summary>
    public static string NormalizeTile(string tile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tile);
        var t = tile.Trim();
        if (t.Length == 6 && (t[0] == 'T' || t[0] == 't') && char.IsDigit(t[1])) t = t[1..];
        return t.ToUpperInvariant();
    }

    /// <summary>The tile a scene id names (third dot-separated segment), canonical form.</summary>
    public static string TileOfScene(string sceneId)
    {
        var parts = sceneId.Split('.');
        if (parts.Length < 4 || parts[2].Length < 5)
            throw new FormatException($"scene id '{sceneId}' is not like HLS.S30.T14SPJ.2022074T171051.v2.0 (no tile segment)");
        return NormalizeTile(parts[2]);
    }

    /// <summary>The acquisition date encoded in a scene id (year + day of year), or null when it has none.</summary>
    public static DateOnly? DateOfScene(string sceneId)
    {
        var parts = sceneId.Split('.');
        if (parts.Length < 4 || parts[3].Length < 7) return null;
        if (!int.TryParse(parts[3].AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) ||
            !int.TryParse(parts[3].AsSpan(4, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var doy) ||
            doy < 1 || doy > (DateTime.IsLeapYear(year) ? 366 : 365)) return null;
        return new DateOnly(year, 1, 1).AddDays(doy - 1);
    }

    /// <summary>
    /// Band of a file name or URL: the second-to-last dot-separated segment of its last path segment
    /// (<c>...v2.0.B02.tif</c> → B02), as the original's RelatedUrls parsing did; null when there is none.
    /// </summary>
    public static string? BandOfFile(string fileOrUrl)
    {
        var name = fileOrUrl;
        var q = name.IndexOfAny(['?', '#']);
        if (q >= 0) name = name[..q];
        var slash = name.LastIndexOf('/');
        if (slash >= 0) name = name[(slash + 1)..];
        var parts = name.Split('.');
        return parts.Length >= 3 ? parts[^2] : null;
    }

    public static string BandFileName(string sceneId, string band) => $"{sceneId}.{band}.tif";
}
