using System.Globalization;
using System.Text.Json.Nodes;
using CropData.Stac.Model;

namespace CropData.Stac.Api;

/// <summary>
/// The core STAC API item-search parameters: collections, intersects (a GeoJSON geometry), bbox, datetime
/// (instant or interval "a/b" with ".." or "" for an open end), ids, limit (page size).
/// </summary>
public sealed record StacSearchRequest
{
    public IReadOnlyList<string>? Collections { get; init; }
    public JsonNode? Intersects { get; init; }
    public IReadOnlyList<double>? Bbox { get; init; }
    public string? Datetime { get; init; }
    public IReadOnlyList<string>? Ids { get; init; }
    public int? Limit { get; init; }

    /// <summary>Sets <see cref="Intersects"/> from GeoJSON text: a geometry, or a Feature whose geometry is used.</summary>
    public StacSearchRequest WithIntersects(string geoJson) => this with { Intersects = GeometryOf(StacJson.Parse(geoJson, "intersects geometry")) };

    public StacSearchRequest WithIntersects(JsonNode geometry) => this with { Intersects = GeometryOf(geometry) };

    private static JsonNode GeometryOf(JsonNode node)
    {
        if (node is JsonObject o && StacJson.GetString(o, "type") == "Feature")
            return o["geometry"]?.DeepClone() ?? throw new FormatException("intersects: the Feature has no geometry");
        if (node is not JsonObject g || StacJson.GetString(g, "type") is null)
            throw new FormatException("intersects: expected a GeoJSON geometry object with a 'type'");
        return node.DeepClone();
    }

    /// <summary>The POST /search body.</summary>
    public JsonObject ToJsonBody()
    {
        var o = new JsonObject();
        if (Collections is { Count: > 0 }) o["collections"] = Strings(Collections);
        if (Ids is { Count: > 0 }) o["ids"] = Strings(Ids);
        if (Bbox is { Count: > 0 }) o["bbox"] = StacJson.NumberArray(Bbox);
        if (Intersects is not null) o["intersects"] = Intersects.DeepClone();
        if (Datetime is not null) o["datetime"] = Datetime;
        if (Limit is { } l) o["limit"] = l;
        return o;
    }

    /// <summary>The GET /search query string (without '?'): comma-separated lists, intersects as JSON text.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string k, string v) => parts.Add(k + "=" + Uri.EscapeDataString(v));
        if (Collections is { Count: > 0 }) Add("collections", string.Join(',', Collections));
        if (Ids is { Count: > 0 }) Add("ids", string.Join(',', Ids));
        if (Bbox is { Count: > 0 }) Add("bbox", string.Join(',', Bbox.Select(b => b.ToString("R", CultureInfo.InvariantCulture))));
        if (Intersects is not null) Add("intersects", StacJson.ToCompactString(Intersects));
        if (Datetime is not null) Add("datetime", Datetime);
        if (Limit is { } l) Add("limit", l.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The datetime parameter as an inclusive interval; null ends are open. Throws on a malformed value.</summary>
    public static (DateTimeOffset? Start, DateTimeOffset? End) ParseInterval(string datetime)
    {
        static DateTimeOffset? End(string s, string whole) =>
            s is "" or ".." ? null : StacJson.ParseInstant(s) ?? throw new FormatException($"datetime '{whole}': '{s}' is not an RFC 3339 date-time");
        var slash = datetime.IndexOf('/');
        if (slash < 0)
        {
            var t = End(datetime, datetime) ?? throw new FormatException($"datetime '{datetime}' is empty");
            return (t, t);
        }
        return (End(datetime[..slash], datetime), End(datetime[(slash + 1)..], datetime));
    }
}

/// <summary>Bounds of GeoJSON geometries, for the bbox tests of static catalogs.</summary>
public static class GeoJsonBounds
{
    /// <summary>[minX, minY, maxX, maxY] of every coordinate in the geometry; null when it has none.</summary>
    public static double[]? Of(JsonNode? geometry)
    {
        if (geometry is null) return null;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        void Visit(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray a when a.Count >= 2 && StacJson.TryGetDouble(a[0], out var dx) && StacJson.TryGetDouble(a[1], out var dy):
                    minX = Math.Min(minX, dx); maxX = Math.Max(maxX, dx); minY = Math.Min(minY, dy); maxY = Math.Max(maxY, dy);
                    break;
                case JsonArray a:
                    foreach (var c in a) Visit(c);
                    break;
                case JsonObject o when o["coordinates"] is { } coords:
                    Visit(coords);
                    break;
                case JsonObject o when o["geometries"] is JsonArray gs:
                    foreach (var g in gs) Visit(g);
                    break;
                case JsonObject o when o["geometry"] is { } g:
                    Visit(g);
                    break;
            }
        }
        Visit(geometry);
        return double.IsInfinity(minX) ? null : [minX, minY, maxX, maxY];
    }

    /// <summary>2-D bbox ([minX, minY, maxX, maxY] or the 6-number 3-D form) intersection, edges inclusive.</summary>
    public static bool Intersects(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var (ax0, ay0, ax1, ay1) = Flat(a);
        var (bx0, by0, bx1, by1) = Flat(b);
        return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
    }

    private static (double, double, double, double) Flat(IReadOnlyList<double> b) => b.Count switch
    {
        4 => (b[0], b[1], b[2], b[3]),
        6 => (b[0], b[1], b[3], b[4]),
        _ => throw new ArgumentException($"a bbox has 4 or 6 numbers, this one has {b.Count}"),
    };
}
