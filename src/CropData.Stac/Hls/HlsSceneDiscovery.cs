using System.Text.Json.Nodes;
using CropData.Dataset.Scenes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac.Hls;

/// <summary>Search settings of spec stage 3. Defaults are the published pipeline's.</summary>
public sealed record HlsDiscoveryOptions
{
    public const string CmrLpCloud = "https://cmr.earthdata.nasa.gov/stac/LPCLOUD";

    public string Collection { get; init; } = "HLSS30_2.0";
    /// <summary>
    /// The original sent "2022-03-01T00:00:00Z/2022-09-30T00:00:00Z", yet its real output (selected_tiles.csv) holds
    /// 33 scenes sensed later on 2022-09-30: CMR STAC answered for the whole end day. A strict STAC server or a
    /// static catalog would drop them, so the default ends at 2022-09-30T23:59:59Z, which gives the original's
    /// answer everywhere.
    /// </summary>
    public string Datetime { get; init; } = DefaultDatetime;

    public const string DefaultDatetime = "2022-03-01T00:00:00Z/2022-09-30T23:59:59Z";
    public const string OriginalDatetime = "2022-03-01T00:00:00Z/2022-09-30T00:00:00Z";
    public IReadOnlyList<string> Bands { get; init; } = HlsNames.DefaultBands;
    /// <summary>Page size asked of the server; null leaves it to the server.</summary>
    public int? PageLimit { get; init; }
}

/// <summary>
/// What discovery found for one tile: its usable scenes (sorted by date, id), the scenes it had to skip with why,
/// how many items the search returned and how many of them belonged to other (overlapping) tiles.
/// </summary>
public sealed record TileDiscovery(string TileId, IReadOnlyList<SceneRecord> Scenes, IReadOnlyList<SceneIssue> Issues, int ItemCount, int OtherTileItems);

/// <summary>
/// Spec stage 3 for one tile: STAC search (collection, intersects = the footprint of the tile's first chip,
/// datetime), then each item's UMM-G metadata (its <c>.umm_json</c> link or asset) → <see cref="SceneRecord"/>.
/// Items of other tiles (a footprint in the overlap of two tiles finds both) are not this tile's candidates:
/// the original kept them under their own tile and could count a scene twice; here they are counted and left out.
/// </summary>
public sealed class HlsSceneDiscovery(IStacSource source, HlsDiscoveryOptions? options = null)
{
    private readonly HlsDiscoveryOptions _options = options ?? new HlsDiscoveryOptions();

    public Task<TileDiscovery> DiscoverTileAsync(string tileId, string footprintGeoJson, CancellationToken cancellationToken = default) =>
        DiscoverTileAsync(tileId, StacJson.Parse(footprintGeoJson, $"footprint of tile {tileId}"), cancellationToken);

    public async Task<TileDiscovery> DiscoverTileAsync(string tileId, JsonNode footprint, CancellationToken cancellationToken = default)
    {
        var tile = HlsNames.NormalizeTile(tileId);
        var request = new StacSearchRequest
        {
            Collections = [_options.Collection],
            Datetime = _options.Datetime,
            Limit = _options.PageLimit,
        }.WithIntersects(footprint);

        var items = new List<StacItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var item in source.SearchAsync(request, cancellationToken).ConfigureAwait(false))
                if (ids.Add(item.Id)) items.Add(item);
        }
        catch (Exception e) when (e is StacHttpException or FormatException or IOException)
        {
            throw new InvalidOperationException($"tile {tile}: scene search in {source.Description} failed: {e.Message}", e);
        }

        var other = 0;
        var own = new List<StacItem>();
        foreach (var item in items)
        {
            if (UmmgParser.TryTile(item.Id, out var itemTile) && itemTile != tile) other++;
            else own.Add(item);
        }

        var results = await Task.WhenAll(own.Select(i => ReadMetadataAsync(i, tile, cancellationToken))).ConfigureAwait(false);
        var scenes = new List<SceneRecord>();
        var issues = new List<SceneIssue>();
        foreach (var r in results)
        {
            if (r.Issue is not null) issues.Add(r.Issue);
            else if (r.Scene!.TileId != tile) other++;
            else scenes.Add(r.Scene);
        }
        return new TileDiscovery(tile, SceneCandidatesCsv.Sort(scenes), SceneIssuesCsv.Sort(issues), items.Count, other);
    }

    private async Task<UmmgResult> ReadMetadataAsync(StacItem item, string tile, CancellationToken ct)
    {
        var issueTile = UmmgParser.TryTile(item.Id, out var t) ? t : tile;
        var href = MetadataHref(item);
        if (href is null)
            return new UmmgResult(null, new SceneIssue(issueTile, item.Id, "the STAC item has no .umm_json link or asset (UMM-G metadata)"));
        Uri uri;
        try { uri = item.Resolve(href); }
        catch (Exception e) when (e is UriFormatException or InvalidOperationException)
        {
            return new UmmgResult(null, new SceneIssue(issueTile, item.Id, $"UMM-G link '{href}' cannot be resolved: {e.Message}"));
        }
        JsonNode doc;
        try
        {
            doc = await source.GetJsonAsync(uri, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StacHttpException or FormatException or IOException or InvalidOperationException)
        {
            return new UmmgResult(null, new SceneIssue(issueTile, item.Id, $"UMM-G metadata could not be read: {e.Message}"));
        }
        var result = UmmgParser.Parse(doc, _options.Bands, item.Id, $"UMM-G {uri}");
        if (result.Scene is { } s && s.SceneId != item.Id && UmmgParser.TryTile(item.Id, out _))
            return new UmmgResult(null, new SceneIssue(issueTile, item.Id, $"UMM-G {uri} describes {s.SceneId}, not the item's scene"));
        return result;
    }

    /// <summary>The UMM-G link of a CMR STAC item: a link or asset whose href ends in .umm_json (CMR: rel=via).</summary>
    public static string? MetadataHref(StacItem item)
    {
        static bool IsUmm(string? href, string? type)
        {
            if (href is null) return false;
            var h = href;
            var q = h.IndexOfAny(['?', '#']);
            if (q >= 0) h = h[..q];
            return h.EndsWith(".umm_json", StringComparison.OrdinalIgnoreCase) ||
                   (type?.Contains("umm+json", StringComparison.OrdinalIgnoreCase) ?? false);
        }
        return item.Links.FirstOrDefault(l => IsUmm(l.Href, l.Type))?.Href
               ?? item.AssetOrder.Select(k => item.Assets[k]).FirstOrDefault(a => IsUmm(a.Href, a.Type))?.Href;
    }
}
