using System.Globalization;
using System.Text.Json.Nodes;
using CropData.Dataset.Scenes;
using CropData.Stac.Model;

namespace CropData.Stac.Hls;

/// <summary>A UMM-G document turned into a scene, or the reason it could not be.</summary>
public sealed record UmmgResult(SceneRecord? Scene, SceneIssue? Issue);

/// <summary>
/// Reads the facts of spec stage 3 from an HLS granule's UMM-G JSON: GranuleUR (scene id), AdditionalAttributes
/// CLOUD_COVERAGE, SPATIAL_COVERAGE, SENSING_TIME (first value of each), and RelatedUrls split into https and s3
/// links per configured band (band = second-to-last dot-separated segment of the file name, as the original did).
/// </summary>
public static class UmmgParser
{
    public const string CloudCoverage = "CLOUD_COVERAGE";
    public const string SpatialCoverage = "SPATIAL_COVERAGE";
    public const string SensingTime = "SENSING_TIME";

    /// <summary>
    /// Accepts the bare UMM-G object (what <c>/search/concepts/G….umm_json</c> returns), <c>{"umm": {...}}</c>, or a
    /// granule search answer <c>{"items": [{"umm": {...}}]}</c>. Every missing or malformed fact is named in the issue.
    /// Cover values must be integers; a decimal is truncated toward zero (the original's int()).
    /// </summary>
    public static UmmgResult Parse(JsonNode document, IReadOnlyList<string> bands, string sceneHint, string source)
    {
        var umm = Unwrap(document);
        var problems = new List<string>();
        string? sceneId = null;
        if (umm is null) problems.Add("not a UMM-G granule object");
        else
        {
            sceneId = StacJson.GetString(umm, "GranuleUR");
            if (string.IsNullOrWhiteSpace(sceneId)) { problems.Add("GranuleUR missing"); sceneId = null; }
            else if (!TryTile(sceneId, out _)) problems.Add($"GranuleUR '{sceneId}' is not an HLS scene id like HLS.S30.T14SPJ.2022074T171051.v2.0");
        }
        var id = sceneId ?? sceneHint;
        var tile = TryTile(id, out var t) ? t : "";
        if (umm is null)
            return new UmmgResult(null, new SceneIssue(tile, id, $"{source}: {string.Join("; ", problems)}"));

        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (umm["AdditionalAttributes"] is JsonArray aa)
        {
            foreach (var a in aa.OfType<JsonObject>())
                if (StacJson.GetString(a, "Name") is { } name && !attributes.ContainsKey(name))
                    attributes[name] = a["Values"] is JsonArray vs && vs.Count > 0 ? ValueText(vs[0]) : null;
        }
        else problems.Add("AdditionalAttributes missing");

        int? Cover(string name)
        {
            if (!attributes.TryGetValue(name, out var v) || v is null) { problems.Add($"{name} missing"); return null; }
            if (int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return (int)Math.Truncate(d);
            problems.Add($"{name} '{v}' is not a number");
            return null;
        }
        var cloud = Cover(CloudCoverage);
        var spatial = Cover(SpatialCoverage);

        DateOnly? date = null;
        if (!attributes.TryGetValue(SensingTime, out var sensing) || sensing is null) problems.Add($"{SensingTime} missing");
        else
        {
            // The original took the text before the first 'T' (SENSING_TIME may list two datastrip times).
            var day = sensing.Split('T')[0].Trim();
            if (DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) date = d;
            else problems.Add($"{SensingTime} '{sensing}' does not start with a yyyy-MM-dd date");
        }

        var https = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var s3 = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var wanted = bands.ToHashSet(StringComparer.Ordinal);
        if (umm["RelatedUrls"] is JsonArray urls)
        {
            foreach (var u in urls.OfType<JsonObject>())
            {
                if (StacJson.GetString(u, "URL") is not { } url) continue;
                var band = HlsNames.BandOfFile(url);
                if (band is null || !wanted.Contains(band)) continue;
                // Plain http counts as the https link too (CMR lists https; a local mirror or test server may not).
                if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) https[band] = url;
                else if (url.StartsWith("s3", StringComparison.OrdinalIgnoreCase)) s3[band] = url;
            }
        }
        else problems.Add("RelatedUrls missing");

        if (problems.Count > 0 || cloud is null || spatial is null || date is null)
            return new UmmgResult(null, new SceneIssue(tile, id, $"{source}: {string.Join("; ", problems)}"));
        return new UmmgResult(new SceneRecord(id, tile, date.Value, cloud.Value, spatial.Value, https, s3) { Checksums = Checksums(umm, wanted) }, null);
    }

    /// <summary>
    /// The checksum of each wanted band's file, from <c>DataGranule.ArchiveAndDistributionInformation[]</c> (<c>Name</c>,
    /// <c>Checksum.Value</c>, <c>Checksum.Algorithm</c>), as UMM-G 1.6 states them; entries without both are ignored
    /// (HLS granules often carry none: the https source then records the file as of unverified origin).
    /// </summary>
    private static SortedDictionary<string, FileChecksum> Checksums(JsonObject umm, HashSet<string> wanted)
    {
        var result = new SortedDictionary<string, FileChecksum>(StringComparer.Ordinal);
        if (umm["DataGranule"] is not JsonObject dg || dg["ArchiveAndDistributionInformation"] is not JsonArray files) return result;
        foreach (var f in files.OfType<JsonObject>())
        {
            if (StacJson.GetString(f, "Name") is not { } name || f["Checksum"] is not JsonObject c) continue;
            if (StacJson.GetString(c, "Value") is not { Length: > 0 } value || StacJson.GetString(c, "Algorithm") is not { Length: > 0 } algorithm) continue;
            if (HlsNames.BandOfFile(name) is { } band && wanted.Contains(band)) result.TryAdd(band, new FileChecksum(algorithm, value.Trim()));
        }
        return result;
    }

    private static JsonObject? Unwrap(JsonNode node) => node switch
    {
        JsonObject o when o.ContainsKey("GranuleUR") => o,
        JsonObject o when o["umm"] is JsonObject u => u,
        JsonObject o when o["items"] is JsonArray { Count: > 0 } items && items[0] is JsonObject first && first["umm"] is JsonObject u => u,
        JsonObject o when o.ContainsKey("AdditionalAttributes") || o.ContainsKey("RelatedUrls") => o,
        _ => null,
    };

    private static string? ValueText(JsonNode? v) => v switch
    {
        JsonValue jv when jv.TryGetValue<string>(out var s) => s,
        JsonValue jv when jv.GetValueKind() == System.Text.Json.JsonValueKind.Number => jv.ToJsonString(),
        _ => null,
    };

    internal static bool TryTile(string sceneId, out string tile)
    {
        tile = "";
        var parts = sceneId.Split('.');
        if (parts.Length < 4 || parts[0] != "HLS" || parts[2].Length != 6 || parts[2][0] != 'T') return false;
        tile = HlsNames.NormalizeTile(parts[2]);
        return true;
    }
}
