using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NetTopologySuite.Geometries;

namespace CropData.Geo;

/// <summary>
/// A chip's position on the CDL grid, encoded in its id <c>chip_{row:000}_{col:000}</c> (spec "Grids and names").
/// </summary>
public readonly record struct ChipId(int Row, int Col)
{
    /// <summary>National CDL raster origin (upper-left pixel edge), EPSG:5070.</summary>
    public const double OriginX = -2356095, OriginY = 3172605;

    /// <summary>224 px x 30 m.</summary>
    public const double SizeMetres = 6720;

    public static ChipId Parse(string id) =>
        TryParse(id, out var c) ? c : throw new GeoInputException(
            $"'{id}' is not a chip id: expected chip_RRR_CCC (row and column on the CDL grid, e.g. chip_184_236)");

    public static bool TryParse([NotNullWhen(true)] string? id, out ChipId chip)
    {
        chip = default;
        // Exactly three digits each: the published ids are zero-padded and sort lexicographically by (row, col).
        if (id is null || id.Length != 12 || !id.StartsWith("chip_", StringComparison.Ordinal) || id[8] != '_')
            return false;
        if (!int.TryParse(id.AsSpan(5, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var row) ||
            !int.TryParse(id.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var col))
            return false;
        chip = new ChipId(row, col);
        return true;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"chip_{Row:000}_{Col:000}");

    /// <summary>The chip square in EPSG:5070, exact by construction.</summary>
    public Envelope Envelope5070 => new(
        OriginX + Col * SizeMetres, OriginX + (Col + 1) * SizeMetres,
        OriginY - (Row + 1) * SizeMetres, OriginY - Row * SizeMetres);

    public Coordinate Center5070 => Envelope5070.Centre;
}
