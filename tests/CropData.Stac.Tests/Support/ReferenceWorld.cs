using System.Globalization;
using System.Text.Json.Nodes;
using CropData.Dataset.Scenes;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Static;

namespace CropData.Stac.Tests.Support;

/// <summary>
/// CMR-like and Easier-like payloads built from the real reference data:
/// every row of data/reference/clarkcga/selected_tiles.csv (scene id, tile, date, cloud, coverage, https/s3 links)
/// becomes a CMR STAC item + UMM-G JSON; filename_to_cid_mapping.json becomes Easier STAC items.
/// Synthetic parts, stated: tile footprints (the reference has no geometry) are 1° squares on a lon/lat lattice
/// overlapping their neighbours by 0.04°, and the sensing time is the scene's date with the time of its id.
/// Distractor scenes per tile exercise every rule without changing the right answer (see <see cref="Distractors"/>).
/// </summary>
internal sealed class ReferenceWorld
{
    public const string Datetime = CropData.Stac.Hls.HlsDiscoveryOptions.DefaultDatetime;
    public static readonly Lazy<ReferenceWorld> Instance = new(() => new ReferenceWorld());

    private ReferenceWorld()
    {
        Reference = OriginalSelectedTilesCsv.ReadFile(RepoRoot.Data("reference", "clarkcga", "selected_tiles.csv"));
        Tiles = Reference.Select(s => s.TileId).Distinct().OrderBy(t => t, StringComparer.Ordinal).ToList();
        for (var i = 0; i < Tiles.Count; i++) _tileIndex[Tiles[i]] = i;
        var distractors = new List<(SceneRecord Scene, bool Malformed, string Why)>();
        foreach (var tile in Tiles) distractors.AddRange(Distractors(tile, Reference.Where(s => s.TileId == tile).ToList()));
        DistractorScenes = distractors;
        _malformed = distractors.Where(d => d.Malformed).Select(d => d.Scene.SceneId).ToHashSet(StringComparer.Ordinal);
    }

    private readonly HashSet<string> _malformed;

    public IReadOnlyList<SceneRecord> Reference { get; }
    public IReadOnlyList<string> Tiles { get; }
    public IReadOnlyList<(SceneRecord Scene, bool Malformed, string Why)> DistractorScenes { get; }
    private readonly Dictionary<string, int> _tileIndex = new(StringComparer.Ordinal);

    public IEnumerable<SceneRecord> AllScenes => Reference.Concat(DistractorScenes.Select(d => d.Scene));

    public (double X0, double Y0) Origin(string tile)
    {
        var i = _tileIndex[tile];
        return (-125 + (i % 30) * 1.0, 25 + (i / 30) * 1.0);
    }

    public JsonNode TileFootprint(string tile)
    {
        var (x, y) = Origin(tile);
        return Box(x - 0.02, y - 0.02, x + 1.02, y + 1.02);
    }

    /// <summary>The query footprint: a chip-sized square in the middle of the tile (the role of the tile's first chip).</summary>
    public JsonNode ChipFootprint(string tile)
    {
        var (x, y) = Origin(tile);
        return Box(x + 0.45, y + 0.45, x + 0.55, y + 0.55);
    }

    public static JsonNode Box(double x0, double y0, double x1, double y1) => new JsonObject
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(
            P(x0, y0), P(x1, y0), P(x1, y1), P(x0, y1), P(x0, y0))),
    };

    private static JsonArray P(double x, double y) => new(JsonValue.Create(Math.Round(x, 6)), JsonValue.Create(Math.Round(y, 6)));

    /// <summary>The scene's date with the time of day of its id (yyyydddTHHMMSS).</summary>
    public static DateTimeOffset SensingTime(SceneRecord s)
    {
        var stamp = s.SceneId.Split('.')[3];
        var time = TimeOnly.ParseExact(stamp[8..14], "HHmmss", CultureInfo.InvariantCulture);
        return new DateTimeOffset(s.Date.ToDateTime(time), TimeSpan.Zero);
    }

    /// <summary>
    /// Per tile, scenes the rules must not pick, given the three real ones (first, middle, last by date; minimum
    /// coverage m; winning threshold t = the highest of 100..50 that is ≤ m):
    /// cloudy (cloud 6..95 on the middle date), low coverage (t − 1), a same-date tie on the first date with a later
    /// scene id and one on the last date with an earlier id (coverage m: n becomes 5 and n // 2 is still the real
    /// middle; only the id tie-break keeps first and last), one outside the datetime window (2022-10-15, which
    /// would be "last" if the search let it through) and, on every 7th tile, one whose UMM-G lacks SPATIAL_COVERAGE.
    /// </summary>
    private IEnumerable<(SceneRecord, bool, string)> Distractors(string tile, List<SceneRecord> real)
    {
        var sorted = real.OrderBy(s => s.Date).ToList();
        if (sorted.Count != 3) throw new InvalidOperationException($"tile {tile}: {sorted.Count} reference scenes, expected 3");
        var m = real.Min(s => s.SpatialCover);
        var t = new[] { 100, 90, 80, 70, 60, 50 }.First(c => c <= m);
        var i = _tileIndex[tile];
        SceneRecord Make(DateOnly date, string time, int cloud, int cover)
        {
            var id = $"HLS.S30.T{tile}.{date.Year:0000}{date.DayOfYear:000}T{time}.v2.0";
            var https = HlsNames.DefaultBands.ToDictionary(b => b,
                b => $"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/{id}/{id}.{b}.tif");
            var s3 = HlsNames.DefaultBands.ToDictionary(b => b, b => $"s3://lp-prod-protected/HLSS30.020/{id}/{id}.{b}.tif");
            return SceneRecord.Create(id, date, cloud, cover, https, s3);
        }
        if (string.CompareOrdinal(sorted[0].SceneId.Split('.')[3][8..], "235959") >= 0 || sorted[2].SceneId.Split('.')[3].EndsWith("000000"))
            throw new InvalidOperationException($"tile {tile}: the tie distractors would not sort as planned");
        yield return (Make(sorted[1].Date, "120001", 6 + i % 90, 100), false, "cloudy");
        yield return (Make(sorted[1].Date.AddDays(-1), "120002", 0, t - 1), false, "low coverage");
        yield return (Make(sorted[0].Date, "235959", 0, m), false, "tie on the first date, later id");
        yield return (Make(sorted[2].Date, "000000", 0, m), false, "tie on the last date, earlier id");
        yield return (Make(new DateOnly(2022, 10, 15), "170000", 0, 100), false, "outside the datetime window");
        if (i % 7 == 0) yield return (Make(sorted[1].Date.AddDays(1), "120003", 0, 100), true, "UMM-G without SPATIAL_COVERAGE");
    }

    public bool IsMalformed(string sceneId) => _malformed.Contains(sceneId);

    public JsonObject Ummg(SceneRecord s)
    {
        var doc = HlsStacItems.UmmgDocument(s, SensingTime(s), TileFootprint(s.TileId));
        if (IsMalformed(s.SceneId))
        {
            var attrs = (JsonArray)doc["AdditionalAttributes"]!;
            var spatial = attrs.First(a => a!["Name"]!.GetValue<string>() == UmmgParser.SpatialCoverage);
            attrs.Remove(spatial);
        }
        return doc;
    }

    /// <summary>CMR-like items whose UMM-G lives at <paramref name="ummHref"/>(scene id), and the documents by server path.</summary>
    public List<StacItem> CmrItems(Func<string, string> ummHref) =>
        AllScenes.Select(s => HlsStacItems.CmrItem(s, SensingTime(s), TileFootprint(s.TileId), ummHref(s.SceneId)))
            .OrderBy(i => i.Id, StringComparer.Ordinal).ToList();

    public Dictionary<string, byte[]> UmmgDocumentsByPath() =>
        AllScenes.ToDictionary(s => $"/search/concepts/{s.SceneId}.umm_json", s => StacJson.ToBytes(Ummg(s)));

    public StacTestServer StartCmrServer()
    {
        StacTestServer? server = null;
        var docs = UmmgDocumentsByPath();
        server = new StacTestServer([], docs);
        server.Items.AddRange(CmrItems(id => $"{server.BaseUri}search/concepts/{id}.umm_json"));
        return server;
    }

    /// <summary>Writes the same CMR-like items as a static catalog, each UMM-G a sidecar file linked as ./&lt;id&gt;.umm_json.</summary>
    public IReadOnlyList<string> WriteCmrCatalog(string directory, IReadOnlyCollection<string>? tiles = null)
    {
        var writer = new StaticCatalogWriter("cmr-like", "CMR-STAC-like HLSS30 items built from the reference selected_tiles.csv");
        writer.AddCollection(new StacCollectionSpec(HlsStacItems.CmrCollection, "HLS Sentinel-2 MSI Surface Reflectance (CMR-like sample)"));
        var byId = AllScenes.ToDictionary(s => s.SceneId);
        foreach (var item in CmrItems(id => $"./{id}.umm_json").Where(i => tiles is null || tiles.Contains(byId[i.Id].TileId)))
            writer.AddItem(HlsStacItems.CmrCollection, item, [new StacSidecarFile(item.Id + ".umm_json", StacJson.ToBytes(Ummg(byId[item.Id])))]);
        return writer.Write(directory);
    }

    // ---- Easier STAC ----

    public static IReadOnlyList<(string Filename, string Cid)> CidMapping()
    {
        var arr = (JsonArray)StacJson.Parse(File.ReadAllBytes(RepoRoot.Data("reference", "easierdata", "filename_to_cid_mapping.json")), "mapping");
        return arr.OfType<JsonObject>().Select(o => (o["filename"]!.GetValue<string>(), o["cid"]!.GetValue<string>())).ToList();
    }

    public List<StacItem> EasierItems()
    {
        var byScene = CidMapping().GroupBy(m => OriginalSelectedTilesCsv.SceneIdOfLink(m.Filename)!);
        var scenes = Reference.ToDictionary(s => s.SceneId);
        return byScene.Select(g =>
        {
            var s = scenes[g.Key];
            return HlsStacItems.EasierItem(g.Key,
                g.Select(m => (HlsNames.BandOfFile(m.Filename)!, s.HttpsLinks[HlsNames.BandOfFile(m.Filename)!], (string?)s.S3Links[HlsNames.BandOfFile(m.Filename)!], m.Cid)),
                TileFootprint(s.TileId), SensingTime(s));
        }).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
    }
}
