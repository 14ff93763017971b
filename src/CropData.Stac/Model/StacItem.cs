using System.Text.Json.Nodes;

namespace CropData.Stac.Model;

/// <summary>
/// A STAC item (GeoJSON Feature). Typed access to id, collection, geometry, bbox, properties, assets and links;
/// unknown top-level fields are kept in <see cref="Extra"/> so nothing is lost on a round trip.
/// <see cref="SourceUri"/> is where it was read from, against which relative hrefs resolve.
/// </summary>
public sealed record StacItem(string Id)
{
    public string StacVersion { get; init; } = "1.0.0";
    public IReadOnlyList<string> StacExtensions { get; init; } = [];
    public string? Collection { get; init; }
    public JsonNode? Geometry { get; init; }
    public double[]? Bbox { get; init; }
    public JsonObject Properties { get; init; } = [];
    public IReadOnlyDictionary<string, StacAsset> Assets { get; init; } = new Dictionary<string, StacAsset>();
    /// <summary>Asset keys in document order (dictionaries do not promise an order; output must be deterministic).</summary>
    public IReadOnlyList<string> AssetOrder { get; init; } = [];
    public IReadOnlyList<StacLink> Links { get; init; } = [];
    public JsonObject Extra { get; init; } = [];
    public Uri? SourceUri { get; init; }

    private static readonly HashSet<string> Known =
        ["type", "stac_version", "stac_extensions", "id", "collection", "geometry", "bbox", "properties", "links", "assets"];

    public DateTimeOffset? Datetime => StacJson.ParseInstant(StacJson.GetString(Properties, "datetime"));
    public DateTimeOffset? StartDatetime => StacJson.ParseInstant(StacJson.GetString(Properties, "start_datetime"));
    public DateTimeOffset? EndDatetime => StacJson.ParseInstant(StacJson.GetString(Properties, "end_datetime"));

    public IEnumerable<StacLink> LinksWithRel(string rel) => Links.Where(l => string.Equals(l.Rel, rel, StringComparison.Ordinal));

    /// <summary>An href of this item made absolute against where the item was read from.</summary>
    public Uri Resolve(string href) =>
        Uri.TryCreate(href, UriKind.Absolute, out var abs) ? abs
        : SourceUri is not null ? new Uri(SourceUri, href)
        : throw new InvalidOperationException($"item {Id}: relative href '{href}' and no source location to resolve it against");

    public static StacItem WithAssets(string id, IEnumerable<KeyValuePair<string, StacAsset>> assets)
    {
        var list = assets.ToList();
        return new StacItem(id) { Assets = list.ToDictionary(StringComparer.Ordinal), AssetOrder = list.Select(p => p.Key).ToList() };
    }

    public static StacItem FromJson(JsonObject o, string source, Uri? sourceUri = null)
    {
        var id = StacJson.GetString(o, "id") ?? throw new FormatException($"{source}: the item has no string 'id'");
        var where = $"{source} item {id}";
        var assets = new Dictionary<string, StacAsset>(StringComparer.Ordinal);
        var order = new List<string>();
        if (o["assets"] is JsonObject a)
            foreach (var (k, v) in a)
                if (v is JsonObject ao)
                {
                    assets[k] = StacAsset.FromJson(ao, $"{where} asset {k}");
                    order.Add(k);
                }
        var links = o["links"] is JsonArray la
            ? la.OfType<JsonObject>().Select(l => StacLink.FromJson(l, where)).ToList()
            : [];
        var extensions = o["stac_extensions"] is JsonArray ea
            ? ea.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList()
            : [];
        return new StacItem(id)
        {
            StacVersion = StacJson.GetString(o, "stac_version") ?? "1.0.0",
            StacExtensions = extensions,
            Collection = StacJson.GetString(o, "collection"),
            Geometry = o["geometry"]?.DeepClone(),
            Bbox = StacJson.GetNumberArray(o, "bbox"),
            Properties = o["properties"] is JsonObject p ? (JsonObject)p.DeepClone() : [],
            Assets = assets,
            AssetOrder = order,
            Links = links,
            Extra = StacLink.ExtraOf(o, Known),
            SourceUri = sourceUri,
        };
    }

    /// <summary>The item as JSON, fields in a fixed order (type, stac_version, stac_extensions, id, collection, geometry, bbox, properties, links, assets, then others).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["type"] = "Feature",
            ["stac_version"] = StacVersion,
        };
        if (StacExtensions.Count > 0) o["stac_extensions"] = new JsonArray(StacExtensions.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());
        o["id"] = Id;
        if (Collection is not null) o["collection"] = Collection;
        o["geometry"] = Geometry?.DeepClone();
        if (Bbox is not null) o["bbox"] = StacJson.NumberArray(Bbox);
        o["properties"] = Properties.DeepClone();
        o["links"] = new JsonArray(Links.Select(l => (JsonNode?)l.ToJson()).ToArray());
        var assets = new JsonObject();
        var keys = AssetOrder.Count == Assets.Count ? AssetOrder : Assets.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var k in keys) assets[k] = Assets[k].ToJson();
        o["assets"] = assets;
        foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        return o;
    }
}
