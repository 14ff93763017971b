using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace CropData.Build.Context;

public static class GeoJsonText
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new GeoJsonConverterFactory() } };

    /// <summary>A geometry as GeoJSON text (for STAC `intersects`).</summary>
    public static string Of(Geometry geometry) => JsonSerializer.Serialize(geometry, Options);
}
