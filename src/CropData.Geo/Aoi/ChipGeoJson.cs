using System.Text.Encodings.Web;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;

namespace CropData.Geo;

public enum ChipCrs { Wgs84 = 4326, Albers5070 = 5070 }

/// <summary>
/// Writes chips as a GeoJSON FeatureCollection in the shape of the published chip files (properties id and
/// center, MultiPolygon footprints), sorted by id, compact, '\n'-free, invariant: the same chips always give the
/// same bytes. The EPSG:4326 output is itself a chip payload that <see cref="AoiDocument"/> accepts.
/// </summary>
public static class ChipGeoJson
{
    public static void WriteFile(string path, IEnumerable<Chip> chips, ChipCrs crs = ChipCrs.Wgs84)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var s = File.Create(path);
        Write(s, chips, crs);
    }

    public static void Write(Stream stream, IEnumerable<Chip> chips, ChipCrs crs = ChipCrs.Wgs84)
    {
        var sorted = chips.DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("type", "FeatureCollection");
        w.WriteString("name", "chips");
        if (crs != ChipCrs.Wgs84)
        {
            // RFC 7946 dropped "crs"; a projected file still needs it so readers (GDAL, our AOI reader) know.
            w.WriteStartObject("crs");
            w.WriteString("type", "name");
            w.WriteStartObject("properties");
            w.WriteString("name", $"urn:ogc:def:crs:EPSG::{(int)crs}");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WritePropertyName("features");
        w.WriteStartArray();
        foreach (var c in sorted)
        {
            var center = crs == ChipCrs.Wgs84 ? c.Center4326 : c.Center5070;
            var geometry = crs == ChipCrs.Wgs84 ? c.Footprint4326 : c.Footprint5070;
            if (geometry is Polygon p) geometry = GeoJson.Factory.CreateMultiPolygon([p]);
            var attributes = new AttributesTable { { "id", c.Id }, { "center", new[] { center.X, center.Y } } };
            JsonSerializer.Serialize(w, (IFeature)new Feature(geometry, attributes), GeoJson.Options);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
