using System.Globalization;
using System.Text.Json.Nodes;
using CropData.Dataset.Scenes;
using CropData.Stac.Model;

namespace CropData.Stac.Hls;

/// <summary>
/// Builders of the documents the two real services publish, for the sample generator and for tests:
/// a CMR-STAC-like HLSS30 item with its UMM-G JSON, and an Easier-STAC-like item whose band assets carry
/// <c>alternate.IPFS.href = ipfs://CID</c>. Field names and shapes follow the real CMR STAC / UMM-G / Easier items.
/// </summary>
public static class HlsStacItems
{
    public const string CmrCollection = "HLSS30_2.0";

    /// <summary>The UMM-G JSON of a scene: GranuleUR, AdditionalAttributes (CLOUD_COVERAGE, MGRS_TILE_ID, SPATIAL_COVERAGE, SENSING_TIME), RelatedUrls.</summary>
    public static JsonObject UmmgDocument(SceneRecord scene, DateTimeOffset sensingTime, JsonNode? footprint = null)
    {
        var t = StacJson.FormatInstant(sensingTime);
        var urls = new JsonArray();
        foreach (var (band, url) in scene.HttpsLinks.OrderBy(p => p.Key, StringComparer.Ordinal))
            urls.Add(new JsonObject { ["URL"] = url, ["Type"] = "GET DATA", ["Description"] = $"Download {FileName(url)}" });
        foreach (var (band, url) in scene.S3Links.OrderBy(p => p.Key, StringComparer.Ordinal))
            urls.Add(new JsonObject { ["URL"] = url, ["Type"] = "GET DATA VIA DIRECT ACCESS", ["Description"] = $"This link provides direct download access via S3 to {FileName(url)}" });
        var doc = new JsonObject
        {
            ["GranuleUR"] = scene.SceneId,
            ["CollectionReference"] = new JsonObject { ["ShortName"] = "HLSS30", ["Version"] = "2.0" },
            ["TemporalExtent"] = new JsonObject
            {
                ["RangeDateTime"] = new JsonObject { ["BeginningDateTime"] = t, ["EndingDateTime"] = t },
            },
            ["AdditionalAttributes"] = new JsonArray(
                Attribute(UmmgParser.CloudCoverage, scene.CloudCover.ToString(CultureInfo.InvariantCulture)),
                Attribute("MGRS_TILE_ID", scene.TileId),
                Attribute(UmmgParser.SpatialCoverage, scene.SpatialCover.ToString(CultureInfo.InvariantCulture)),
                Attribute(UmmgParser.SensingTime, t)),
            ["RelatedUrls"] = urls,
            ["MetadataSpecification"] = new JsonObject
            {
                ["URL"] = "https://cdn.earthdata.nasa.gov/umm/granule/v1.6.5", ["Name"] = "UMM-G", ["Version"] = "1.6.5",
            },
        };
        if (scene.Checksums.Count > 0)
            doc["DataGranule"] = new JsonObject
            {
                ["ArchiveAndDistributionInformation"] = new JsonArray(scene.Checksums.Select(kv => (JsonNode?)new JsonObject
                {
                    ["Name"] = HlsNames.BandFileName(scene.SceneId, kv.Key),
                    ["Checksum"] = new JsonObject { ["Value"] = kv.Value.Value, ["Algorithm"] = kv.Value.Algorithm },
                }).ToArray()),
            };
        if (footprint is not null && GeoJsonRing(footprint) is { } ring)
        {
            var points = new JsonArray(ring.Select(p => (JsonNode?)new JsonObject { ["Longitude"] = p.X, ["Latitude"] = p.Y }).ToArray());
            doc["SpatialExtent"] = new JsonObject
            {
                ["HorizontalSpatialDomain"] = new JsonObject
                {
                    ["Geometry"] = new JsonObject
                    {
                        ["GPolygons"] = new JsonArray(new JsonObject { ["Boundary"] = new JsonObject { ["Points"] = points } }),
                    },
                },
            };
        }
        return doc;
    }

    /// <summary>A CMR-STAC-like item: id = GranuleUR, one asset per band (https href), a rel=via link to the UMM-G JSON.</summary>
    public static StacItem CmrItem(SceneRecord scene, DateTimeOffset sensingTime, JsonNode geometry, string ummJsonHref)
    {
        var assets = scene.HttpsLinks.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KeyValuePair<string, StacAsset>(p.Key, new StacAsset(p.Value) { Title = $"Download {FileName(p.Value)}" }))
            .ToList();
        var t = StacJson.FormatInstant(sensingTime);
        return StacItem.WithAssets(scene.SceneId, assets) with
        {
            StacExtensions = ["https://stac-extensions.github.io/eo/v1.0.0/schema.json"],
            Collection = CmrCollection,
            Geometry = geometry.DeepClone(),
            Bbox = Api.GeoJsonBounds.Of(geometry),
            Properties = new JsonObject
            {
                ["datetime"] = t, ["start_datetime"] = t, ["end_datetime"] = t, ["eo:cloud_cover"] = scene.CloudCover,
            },
            Links = [new StacLink("via", ummJsonHref) { Title = "UMM-G metadata" }],
        };
    }

    /// <summary>An Easier-STAC-like item: per band an asset with the https href and alternate S3 and IPFS (ipfs://CID) hrefs.</summary>
    public static StacItem EasierItem(string sceneId, IEnumerable<(string Band, string Href, string? S3Href, string Cid)> bands,
        JsonNode? geometry = null, DateTimeOffset? datetime = null, string collection = "HLSS30")
    {
        var assets = bands.OrderBy(b => b.Band, StringComparer.Ordinal).Select(b =>
        {
            var alternate = new JsonObject();
            if (b.S3Href is not null) alternate["S3"] = new JsonObject { ["href"] = b.S3Href };
            alternate["IPFS"] = new JsonObject { ["href"] = "ipfs://" + b.Cid };
            return new KeyValuePair<string, StacAsset>(b.Band, new StacAsset(b.Href)
            {
                Type = "image/tiff; application=geotiff; profile=cloud-optimized",
                Roles = ["data"],
                Extra = new JsonObject { ["alternate"] = alternate },
            });
        }).ToList();
        return StacItem.WithAssets(sceneId, assets) with
        {
            StacExtensions = ["https://stac-extensions.github.io/alternate-assets/v1.1.0/schema.json"],
            Collection = collection,
            Geometry = geometry?.DeepClone(),
            Bbox = Api.GeoJsonBounds.Of(geometry),
            Properties = datetime is { } d ? new JsonObject { ["datetime"] = StacJson.FormatInstant(d) } : new JsonObject { ["datetime"] = null },
        };
    }

    private static string FileName(string url) => url[(url.LastIndexOf('/') + 1)..];

    private static JsonObject Attribute(string name, string value) =>
        new() { ["Name"] = name, ["Values"] = new JsonArray(JsonValue.Create(value)) };

    private static List<(double X, double Y)>? GeoJsonRing(JsonNode geometry)
    {
        var coords = geometry["coordinates"];
        while (coords is JsonArray a && a.Count > 0 && a[0] is JsonArray inner && inner.Count > 0 && inner[0] is JsonArray) coords = a[0];
        if (coords is not JsonArray ring) return null;
        var list = new List<(double, double)>();
        foreach (var p in ring.OfType<JsonArray>())
            if (p.Count >= 2 && StacJson.TryGetDouble(p[0], out var dx) && StacJson.TryGetDouble(p[1], out var dy))
                list.Add((dx, dy));
        return list.Count > 0 ? list : null;
    }
}
