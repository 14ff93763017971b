using System.Text.Json;
using System.Text.Json.Nodes;

namespace CropData.Graph.Engine;

/// <summary>
/// What changed between two values of a config key, leaf by leaf: a unit that reads the whole "selection" section is
/// told "selection.cloud_cover_threshold: 5 → 4", not "selection changed". Values are the canonical JSON the context
/// gives; anything that is not a JSON object is compared whole.
/// </summary>
internal static class ConfigDiff
{
    public static IEnumerable<BuildReason> Reasons(string key, string? was, string? now)
    {
        var before = Parse(was);
        var after = Parse(now);
        foreach (var (leaf, o, n) in Leaves(key, before, after, was, now))
            yield return new BuildReason(ReasonKind.ConfigChanged, $"{leaf}: {Show(o)} → {Show(n)}", leaf, o, n);
    }

    private static IEnumerable<(string Key, string? Old, string? New)> Leaves(string key, JsonNode? before, JsonNode? after, string? was, string? now)
    {
        if (before is JsonObject a && after is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                bool hadIt = a.TryGetPropertyValue(name, out var x), hasIt = b.TryGetPropertyValue(name, out var y);
                string? xs = hadIt ? x?.ToJsonString() ?? "null" : null, ys = hasIt ? y?.ToJsonString() ?? "null" : null;
                if (xs == ys) continue;
                foreach (var leaf in Leaves(key + "." + name, x, y, xs, ys)) yield return leaf;
            }
            yield break;
        }
        if (was != now) yield return (key, was, now);
    }

    private static JsonNode? Parse(string? value)
    {
        if (value is null) return null;
        try { return JsonNode.Parse(value); }
        catch (JsonException) { return null; }
    }

    /// <summary>Strings without their quotes, long values cut, absent values named.</summary>
    private static string Show(string? value)
    {
        if (value is null) return "(unset)";
        string v = value.Length >= 2 && value[0] == '"' && value[^1] == '"' && !value[1..^1].Contains('"') ? value[1..^1] : value;
        return v.Length > 80 ? v[..77] + "..." : v;
    }
}
