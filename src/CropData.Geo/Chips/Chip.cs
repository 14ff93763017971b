using NetTopologySuite.Geometries;

namespace CropData.Geo;

/// <summary>One pre-generated 224 x 224 chip: id, footprints and centres in EPSG:4326 and EPSG:5070.</summary>
public sealed class Chip
{
    public required string Id { get; init; }
    public required ChipId Position { get; init; }

    /// <summary>The published EPSG:4326 footprint (a one-polygon MultiPolygon, straight edges in degrees).</summary>
    public required Geometry Footprint4326 { get; init; }

    /// <summary>The exact EPSG:5070 square derived from the id (checked against the published 5070 file).</summary>
    public required Polygon Footprint5070 { get; init; }

    /// <summary>The published <c>center</c> property of the EPSG:4326 file (x = lon, y = lat).</summary>
    public required Coordinate Center4326 { get; init; }

    public required Coordinate Center5070 { get; init; }

    public override string ToString() => Id;
}
