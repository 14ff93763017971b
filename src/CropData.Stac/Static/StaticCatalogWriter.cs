using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac.Static;

/// <summary>A file written next to an item (e.g. its UMM-G metadata), linked from the item by a relative href "./name".</summary>
public sealed record StacSidecarFile(string FileName, byte[] Content);

/// <summary>A collection of a static catalog. Its extent is computed from its items.</summary>
public sealed record StacCollectionSpec(string Id, string Description)
{
    public string? Title { get; init; }
    public string License { get; init; } = "proprietary";
    /// <summary>Further top-level fields (e.g. "providers"), written after the standard ones.</summary>
    public JsonObject Extra { get; init; } = [];
}

/// <summary>
/// Writes a self-contained static STAC catalog with relative links and deterministic bytes:
/// <c>catalog.json</c>, <c>&lt;collection&gt;/collection.json</c>, <c>&lt;collection&gt;/&lt;item&gt;/&lt;item&gt;.json</c>
/// plus each item's sidecar files in its folder. Items are ordered by id, JSON fields in a fixed order, no
/// timestamps, no self links (a self-contained catalog omits them). Root/parent/collection links of the items are
/// written by the writer; the item's other links (e.g. rel=via to "./x.umm_json") are kept.
/// </summary>
public sealed class StaticCatalogWriter(string id, string description)
{
    private readonly SortedDictionary<string, StacCollectionSpec> _collections = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, (StacItem Item, IReadOnlyList<StacSidecarFile> Sidecars)>> _items = new(StringComparer.Ordinal);

    public string? Title { get; init; }

    public void AddCollection(StacCollectionSpec collection)
    {
        CheckName(collection.Id, "collection id");
        if (!_collections.TryAdd(collection.Id, collection)) throw new ArgumentException($"collection {collection.Id} was added twice");
        _items[collection.Id] = new SortedDictionary<string, (StacItem, IReadOnlyList<StacSidecarFile>)>(StringComparer.Ordinal);
    }

    public void AddItem(string collectionId, StacItem item, IEnumerable<StacSidecarFile>? sidecars = null)
    {
        if (!_items.TryGetValue(collectionId, out var items)) throw new ArgumentException($"item {item.Id}: collection {collectionId} was not added");
        CheckName(item.Id, "item id");
        var files = (sidecars ?? []).ToList();
        foreach (var f in files)
        {
            CheckName(f.FileName, $"sidecar file name of item {item.Id}");
            if (f.FileName == item.Id + ".json") throw new ArgumentException($"item {item.Id}: sidecar {f.FileName} would overwrite the item file");
        }
        if (!items.TryAdd(item.Id, (item, files))) throw new ArgumentException($"item {item.Id} was added twice to collection {collectionId}");
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new ArgumentException($"{what} '{name}' cannot be a file name");
    }

    /// <summary>
    /// Writes the catalog into <paramref name="directory"/>, which must not exist or be empty, or hold an earlier
    /// catalog (catalog.json) when <paramref name="replace"/> is true. Returns the written files, relative, sorted.
    /// </summary>
    public IReadOnlyList<string> Write(string directory, bool replace = false)
    {
        var dir = Path.GetFullPath(directory);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!replace || !File.Exists(Path.Combine(dir, "catalog.json")))
                throw new IOException($"static catalog: {dir} is not empty" + (replace ? " and holds no catalog.json to replace" : ""));
            Directory.Delete(dir, recursive: true);
        }
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        void Put(string relative, byte[] bytes)
        {
            var full = Path.Combine(dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
            written.Add(relative);
        }

        var catalog = new JsonObject { ["type"] = "Catalog", ["stac_version"] = "1.0.0", ["id"] = id };
        if (Title is not null) catalog["title"] = Title;
        catalog["description"] = description;
        var catalogLinks = new JsonArray { Link("root", "./catalog.json", "application/json") };
        foreach (var c in _collections.Keys) catalogLinks.Add(Link("child", $"./{c}/collection.json", "application/json"));
        catalog["links"] = catalogLinks;
        Put("catalog.json", StacJson.ToBytes(catalog));

        foreach (var (cid, spec) in _collections)
        {
            var items = _items[cid];
            var collection = new JsonObject { ["type"] = "Collection", ["stac_version"] = "1.0.0", ["id"] = cid };
            if (spec.Title is not null) collection["title"] = spec.Title;
            collection["description"] = spec.Description;
            collection["license"] = spec.License;
            collection["extent"] = Extent(items.Values.Select(v => v.Item));
            var links = new JsonArray
            {
                Link("root", "../catalog.json", "application/json"),
                Link("parent", "../catalog.json", "application/json"),
            };
            foreach (var itemId in items.Keys) links.Add(Link("item", $"./{itemId}/{itemId}.json", "application/geo+json"));
            collection["links"] = links;
            foreach (var (k, v) in spec.Extra) collection[k] = v?.DeepClone();
            Put($"{cid}/collection.json", StacJson.ToBytes(collection));

            foreach (var (itemId, (item, sidecars)) in items)
            {
                var own = item.Links.Where(l => l.Rel is not ("root" or "parent" or "collection" or "self")).ToList();
                var outItem = item with
                {
                    Collection = cid,
                    Links =
                    [
                        new StacLink("root", "../../catalog.json") { Type = "application/json" },
                        new StacLink("parent", "../collection.json") { Type = "application/json" },
                        new StacLink("collection", "../collection.json") { Type = "application/json" },
                        .. own,
                    ],
                };
                Put($"{cid}/{itemId}/{itemId}.json", StacJson.ToBytes(outItem.ToJson()));
                foreach (var f in sidecars) Put($"{cid}/{itemId}/{f.FileName}", f.Content);
            }
        }
        written.Sort(StringComparer.Ordinal);
        return written;
    }

    private static JsonObject Link(string rel, string href, string type) => new() { ["rel"] = rel, ["href"] = href, ["type"] = type };

    private static JsonObject Extent(IEnumerable<StacItem> items)
    {
        double[]? box = null;
        DateTimeOffset? start = null, end = null;
        foreach (var item in items)
        {
            if ((item.Bbox ?? GeoJsonBounds.Of(item.Geometry)) is { } b)
            {
                var (x0, y0, x1, y1) = b.Length == 6 ? (b[0], b[1], b[3], b[4]) : (b[0], b[1], b[2], b[3]);
                box = box is null ? [x0, y0, x1, y1] : [Math.Min(box[0], x0), Math.Min(box[1], y0), Math.Max(box[2], x1), Math.Max(box[3], y1)];
            }
            var s = item.Datetime ?? item.StartDatetime;
            var e = item.Datetime ?? item.EndDatetime ?? s;
            if (s is not null && (start is null || s < start)) start = s;
            if (e is not null && (end is null || e > end)) end = e;
        }
        box ??= [-180, -90, 180, 90];
        return new JsonObject
        {
            ["spatial"] = new JsonObject { ["bbox"] = new JsonArray(StacJson.NumberArray(box)) },
            ["temporal"] = new JsonObject
            {
                ["interval"] = new JsonArray(new JsonArray(
                    start is null ? null : JsonValue.Create(StacJson.FormatInstant(start.Value)),
                    end is null ? null : JsonValue.Create(StacJson.FormatInstant(end.Value)))),
            },
        };
    }
}
