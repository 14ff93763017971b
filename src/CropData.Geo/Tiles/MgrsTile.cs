using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CropData.Geo;

/// <summary>
/// A Sentinel-2/HLS MGRS tile id such as <c>14SPJ</c>: UTM zone 14, latitude band S, 100 km square PJ.
/// STAC/CMR spell it with a leading T (<c>T14SPJ</c>); this type accepts both and stores it without.
/// </summary>
public readonly record struct MgrsTile(string Id, int Zone, char Band)
{
    /// <summary>Bands N..X are north of the equator (MGRS latitude bands C..X, without I and O).</summary>
    public bool IsNorth => Band >= 'N';

    /// <summary>WGS 84 / UTM zone EPSG code: 326zz north, 327zz south.</summary>
    public int UtmEpsg => (IsNorth ? 32600 : 32700) + Zone;

    public static MgrsTile Parse(string id) => TryParse(id, out var t) ? t
        : throw new GeoInputException($"'{id}' is not a Sentinel-2 MGRS tile id; expected e.g. 14SPJ or T14SPJ");

    public static bool TryParse([NotNullWhen(true)] string? text, out MgrsTile tile)
    {
        tile = default;
        if (text is null) return false;
        var s = text.Length == 6 && text[0] == 'T' ? text[1..] : text;
        if (s.Length != 5 || !int.TryParse(s.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zone) ||
            zone is < 1 or > 60)
            return false;
        var band = s[2];
        if (band is < 'C' or > 'X' or 'I' or 'O' || !char.IsAsciiLetterUpper(s[3]) || !char.IsAsciiLetterUpper(s[4]))
            return false;
        tile = new MgrsTile(s, zone, band);
        return true;
    }

    public override string ToString() => Id;
}
