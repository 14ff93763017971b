using System.Globalization;
using System.Text.Json;
using CropData.Gdal;
using NetTopologySuite.Densify;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace CropData.Geo;

/// <summary>
/// A GeoJSON AOI file, read with NetTopologySuite's GeoJSON reader. It is either AOI polygons (Polygon,
/// MultiPolygon, Feature or FeatureCollection of those; EPSG:4326 unless a <c>crs</c> member names another CRS)
/// or a chip payload exported by the original Select-AOI page (features that are chips, with a chip id
/// property <c>id</c>): for a payload only the ids count, its rounded geometries are not used.
/// </summary>
public sealed class AoiDocument
{
    public string Path { get; }

    /// <summary>The AOI polygons in EPSG:4326 (a MultiPolygon, not unioned); null for a chip payload.</summary>
    public MultiPolygon? Polygons4326 { get; }

    /// <summary>The chip ids of a chip payload, in file order; null for an AOI of polygons.</summary>
    public IReadOnlyList<string>? ChipIds { get; }

    public bool IsChipPayload => ChipIds is not null;

    /// <summary>The CRS named by the file's <c>crs</c> member, or null when it had none.</summary>
    public string? DeclaredCrs { get; }

    private AoiDocument(string path, MultiPolygon? polygons, IReadOnlyList<string>? ids, string? crs) =>
        (Path, Polygons4326, ChipIds, DeclaredCrs) = (path, polygons, ids, crs);

    private static readonly HashSet<string> Wgs84Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:4326",
        "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84", "CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326",
    };

    public static AoiDocument Read(string path)
    {
        using var doc = GeoJson.ParseFile(path, "AOI file");
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String)
            throw new GeoInputException(
                $"AOI file '{path}' is JSON but not GeoJSON (no \"type\" member); expected a Polygon, MultiPolygon, Feature or FeatureCollection");
        var type = typeEl.GetString()!;
        var crs = ReadCrsName(root, path);

        List<(Geometry? Geometry, string Where)> parts;
        switch (type)
        {
            case "FeatureCollection":
            {
                var fc = GeoJson.Deserialize<FeatureCollection>(root, path, "AOI file");
                if (PayloadIds(fc, path) is { } ids) return new AoiDocument(path, null, ids, crs);
                parts = fc.Select((f, i) => ((Geometry?)f.Geometry, $"feature {i}")).ToList();
                break;
            }
            case "Feature":
            {
                var f = GeoJson.Deserialize<IFeature>(root, path, "AOI file");
                if (PayloadIds([f], path) is { } ids) return new AoiDocument(path, null, ids, crs);
                parts = [(f.Geometry, "the feature")];
                break;
            }
            case "Polygon" or "MultiPolygon":
                parts = [(GeoJson.Deserialize<Geometry>(root, path, "AOI file"), "the geometry")];
                break;
            case "Point" or "MultiPoint" or "LineString" or "MultiLineString" or "GeometryCollection":
                throw new GeoInputException(
                    $"AOI file '{path}' is a {type}; expected a Polygon or MultiPolygon (or a Feature/FeatureCollection of them)");
            default:
                throw new GeoInputException(
                    $"AOI file '{path}' has GeoJSON type \"{type}\"; expected Polygon, MultiPolygon, Feature or FeatureCollection");
        }

        var polygons = new List<Polygon>();
        foreach (var (g, where) in parts)
        {
            switch (g)
            {
                case null:
                    throw new GeoInputException($"AOI file '{path}': {where} has no geometry; expected a Polygon or MultiPolygon");
                case Polygon p:
                    polygons.Add(p);
                    break;
                case MultiPolygon mp:
                    polygons.AddRange(mp.Geometries.Cast<Polygon>());
                    break;
                default:
                    throw new GeoInputException(
                        $"AOI file '{path}': {where} is a {g.GeometryType}; expected a Polygon or MultiPolygon");
            }
        }
        polygons.RemoveAll(p => p.IsEmpty);
        if (polygons.Count == 0)
            throw new GeoInputException($"AOI file '{path}' holds no polygon; expected at least one Polygon or MultiPolygon");

        var wgs84 = crs is null || Wgs84Names.Contains(crs) ? polygons : ToWgs84(polygons, crs, path);
        for (var i = 0; i < wgs84.Count; i++) Check(wgs84[i], i, wgs84.Count, path, crs);
        return new AoiDocument(path, GeoJson.Factory.CreateMultiPolygon(wgs84.ToArray()), null, crs);
    }

    /// <summary>
    /// A FeatureCollection is a chip payload when every feature carries a chip id in <c>id</c>; some but not all
    /// is ambiguous (an AOI whose features happen to be named like chips?) and is rejected rather than guessed.
    /// </summary>
    private static List<string>? PayloadIds(IReadOnlyList<IFeature> features, string path)
    {
        var ids = new List<string>(features.Count);
        var without = new List<int>();
        for (var i = 0; i < features.Count; i++)
        {
            if (GeoJson.TryGet<string>(features[i].Attributes, "id", out var id) && ChipId.TryParse(id, out _)) ids.Add(id);
            else without.Add(i);
        }
        if (ids.Count == 0) return null;
        if (without.Count > 0)
            throw new GeoInputException(
                $"AOI file '{path}' mixes chip features ({ids.Count} with a chip id property 'id') and {without.Count} other features " +
                $"(first: feature {without[0]}); expected either a chip payload (every feature a chip) or AOI polygons");
        var dup = ids.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new GeoInputException($"chip payload '{path}' lists {dup.Key} {dup.Count()} times");
        return ids;
    }

    private static string? ReadCrsName(JsonElement root, string path)
    {
        if (!root.TryGetProperty("crs", out var crs) || crs.ValueKind == JsonValueKind.Null) return null;
        // GeoJSON 2008 named CRS: {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5070"}}.
        if (crs.ValueKind == JsonValueKind.Object &&
            crs.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String &&
            crs.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            var kind = t.GetString();
            if (kind == "name" && props.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                return n.GetString();
            if (kind is "EPSG" or "epsg" && props.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number)
                return "EPSG:" + c.GetInt32().ToString(CultureInfo.InvariantCulture);
        }
        throw new GeoInputException(
            $"AOI file '{path}' has a crs member {crs.GetRawText()} that is not a named CRS; expected " +
            "{\"type\": \"name\", \"properties\": {\"name\": \"EPSG:...\"}} or no crs member (EPSG:4326)");
    }

    private static List<Polygon> ToWgs84(List<Polygon> polygons, string crsName, string path)
    {
        SpatialReference source;
        try { source = SpatialReference.FromUserInput(crsName); }
        catch (GdalException e)
        {
            throw new GeoInputException(
                $"AOI file '{path}' declares crs \"{crsName}\", which GDAL/PROJ does not know ({e.Message}); " +
                "expected an EPSG code or OGC URN, or coordinates in EPSG:4326 without a crs member", e);
        }
        using (source)
        using (var wgs84 = SpatialReference.FromEpsg(4326))
        {
            if (source.IsSame(wgs84)) return polygons;
            using var transform = new CoordinateTransform(source, wgs84);
            var result = new List<Polygon>(polygons.Count);
            foreach (var p in polygons)
            {
                // Straight edges in a projected CRS are curves in degrees: densify to 1/200 of the polygon's extent
                // first so the transformed outline stays within a fraction of a percent of the original.
                var env = p.EnvelopeInternal;
                var step = Math.Max(env.Width, env.Height) / 200;
                var dense = step > 0 ? Densifier.Densify(p, step) : p;
                foreach (var part in Flatten(dense))
                {
                    try
                    {
                        var shell = TransformRing(part.ExteriorRing, transform);
                        var holes = part.InteriorRings.Select(r => TransformRing(r, transform)).ToArray();
                        result.Add(GeoJson.Factory.CreatePolygon(shell, holes));
                    }
                    catch (GdalException e)
                    {
                        throw new GeoInputException(
                            $"AOI file '{path}': coordinates could not be transformed from \"{crsName}\" to EPSG:4326 ({e.Message})", e);
                    }
                }
            }
            return result;
        }
    }

    private static LinearRing TransformRing(LineString ring, CoordinateTransform transform)
    {
        var coords = ring.Coordinates;
        var xs = coords.Select(c => c.X).ToArray();
        var ys = coords.Select(c => c.Y).ToArray();
        transform.TransformInPlace(xs, ys);
        return GeoJson.Factory.CreateLinearRing(xs.Select((x, i) => new Coordinate(x, ys[i])).ToArray());
    }

    private static IEnumerable<Polygon> Flatten(Geometry g) => g switch
    {
        Polygon p => [p],
        MultiPolygon mp => mp.Geometries.Cast<Polygon>(),
        _ => throw new InvalidOperationException($"densified AOI polygon became a {g.GeometryType}"),
    };

    private static void Check(Polygon p, int index, int count, string path, string? crs)
    {
        var where = count == 1 ? "the AOI polygon" : $"AOI polygon {index}";
        foreach (var c in p.Coordinates)
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || Math.Abs(c.X) > 180 || Math.Abs(c.Y) > 90)
            {
                var hint = crs is null
                    ? "GeoJSON coordinates must be EPSG:4326 [lon, lat] (add a crs member if they are projected)"
                    : $"after transforming from \"{crs}\" to EPSG:4326";
                throw new GeoInputException(string.Create(CultureInfo.InvariantCulture,
                    $"AOI file '{path}': {where} has coordinate ({c.X}, {c.Y}) outside longitude ±180 / latitude ±90; {hint}"));
            }
        var op = new IsValidOp(p);
        if (!op.IsValid)
        {
            var err = op.ValidationError;
            var at = string.Create(CultureInfo.InvariantCulture, $"({err.Coordinate?.X}, {err.Coordinate?.Y})");
            throw new GeoInputException(
                $"AOI file '{path}': {where} is not a valid polygon: {err.Message} at {at}; " +
                "expected simple, non-self-intersecting rings (fix it, e.g. with QGIS 'Fix geometries')");
        }
    }
}
