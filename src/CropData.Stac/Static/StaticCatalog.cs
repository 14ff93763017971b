using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac.Static;

/// <summary>
/// A static STAC catalog on disk: catalog.json → child catalogs/collections → item links, relative hrefs resolved
/// against the file that holds them. <see cref="SearchAsync"/> answers the item-search parameters so the embedded
/// sample and air-gapped users need no server. Spatial filtering here is a bbox intersection: the request's bbox
/// (or the bounds of its intersects geometry) against the item's bbox (or the bounds of its geometry), edges
/// inclusive, no antimeridian handling. A STAC API tests true geometry intersection; for HLS tiles and chip
/// footprints, which are near-rectangular in lon/lat, the answers agree except at the very corners.
/// </summary>
public sealed class StaticCatalog : IStacSource
{
    private StaticCatalog(string path, IReadOnlyList<StacItem> items)
    {
        RootPath = path;
        Items = items;
        // Times and bounds parsed once: a build searches the same catalog once per tile.
        _index = items.Select(i =>
        {
            var start = i.Datetime ?? i.StartDatetime;
            return new Entry(i, start, i.Datetime ?? i.EndDatetime ?? start, i.Bbox ?? GeoJsonBounds.Of(i.Geometry));
        }).ToArray();
    }

    private sealed record Entry(StacItem Item, DateTimeOffset? Start, DateTimeOffset? End, double[]? Bounds);

    private readonly Entry[] _index;

    public string RootPath { get; }
    public string Description => RootPath;

    /// <summary>Every item of the catalog, ordered by collection then id; <see cref="StacItem.Collection"/> is filled from the parent collection when the item omits it.</summary>
    public IReadOnlyList<StacItem> Items { get; }

    public static StaticCatalog Open(string catalogPath)
    {
        var root = Path.GetFullPath(catalogPath);
        if (Directory.Exists(root)) root = Path.Combine(root, "catalog.json");
        if (!File.Exists(root)) throw new FileNotFoundException($"static STAC catalog: {root} does not exist", root);
        var items = new Dictionary<string, StacItem>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Visit(root, null, "the catalog root", items, visited);
        var ordered = items.Values.OrderBy(i => i.Collection ?? "", StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
        return new StaticCatalog(root, ordered);
    }

    private static void Visit(string path, string? collectionId, string referrer, Dictionary<string, StacItem> items, HashSet<string> visited)
    {
        if (!visited.Add(path)) return;
        if (!File.Exists(path)) throw new FileNotFoundException($"static STAC catalog: {path}, linked from {referrer}, does not exist", path);
        var uri = new Uri(path);
        if (StacJson.Parse(File.ReadAllBytes(path), path) is not JsonObject o)
            throw new FormatException($"{path}: expected a STAC object");
        var type = StacJson.GetString(o, "type");
        if (type == "Feature")
        {
            var item = StacItem.FromJson(o, path, uri);
            if (item.Collection is null && collectionId is not null) item = item with { Collection = collectionId };
            var key = (item.Collection ?? "") + "\n" + item.Id;
            if (!items.TryAdd(key, item))
                throw new FormatException($"static STAC catalog: item {item.Id} of collection {item.Collection} appears twice (again in {path})");
            return;
        }
        if (type == "FeatureCollection")
        {
            foreach (var f in (o["features"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var item = StacItem.FromJson(f, path, uri);
                if (item.Collection is null && collectionId is not null) item = item with { Collection = collectionId };
                items.TryAdd((item.Collection ?? "") + "\n" + item.Id, item);
            }
            return;
        }
        var childCollection = type == "Collection" ? StacJson.GetString(o, "id") : collectionId;
        foreach (var l in (o["links"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var link = StacLink.FromJson(l, path);
            if (link.Rel is not ("child" or "item")) continue;
            var target = new Uri(uri, link.Href);
            if (!target.IsFile) continue; // a static catalog on disk links files; remote children are out of reach offline
            Visit(target.LocalPath, childCollection, path, items, visited);
        }
    }

    public IReadOnlyList<StacItem> Search(StacSearchRequest request)
    {
        var collections = request.Collections is { Count: > 0 } c ? c.ToHashSet(StringComparer.Ordinal) : null;
        var ids = request.Ids is { Count: > 0 } i ? i.ToHashSet(StringComparer.Ordinal) : null;
        var interval = request.Datetime is { } dt ? StacSearchRequest.ParseInterval(dt) : ((DateTimeOffset?, DateTimeOffset?)?)null;
        var box = request.Bbox is { Count: > 0 } b ? b.ToArray() : request.Intersects is not null
            ? GeoJsonBounds.Of(request.Intersects) ?? throw new FormatException("intersects: the geometry has no coordinates")
            : null;
        return _index.Where(e =>
            (collections is null || (e.Item.Collection is not null && collections.Contains(e.Item.Collection))) &&
            (ids is null || ids.Contains(e.Item.Id)) &&
            (interval is null || InInterval(e, interval.Value)) &&
            (box is null || (e.Bounds is { } ib && GeoJsonBounds.Intersects(ib, box)))).Select(e => e.Item).ToList();
    }

    private static bool InInterval(Entry e, (DateTimeOffset? Start, DateTimeOffset? End) q)
    {
        if (e.Start is null || e.End is null) return false;
        return (q.Start is null || e.End >= q.Start) && (q.End is null || e.Start <= q.End);
    }

    public async IAsyncEnumerable<StacItem> SearchAsync(StacSearchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in Search(request))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public async Task<JsonNode> GetJsonAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        if (!uri.IsFile)
            throw new InvalidOperationException($"static STAC catalog {RootPath}: {uri} is not a local file; an offline catalog must hold its metadata files");
        var path = uri.LocalPath;
        if (!File.Exists(path)) throw new FileNotFoundException($"static STAC catalog {RootPath}: linked file {path} does not exist", path);
        return StacJson.Parse(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), path);
    }
}
