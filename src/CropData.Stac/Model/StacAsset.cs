using System.Text.Json.Nodes;

namespace CropData.Stac.Model;

/// <summary>
/// A STAC asset: href, type, title, roles, and every other field kept raw in <see cref="Extra"/>
/// (e.g. <c>alternate</c> of the Alternate Assets extension that Easier STAC uses for IPFS, or <c>eo:bands</c>).
/// </summary>
public sealed record StacAsset(string Href)
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public JsonObject Extra { get; init; } = [];

    private static readonly HashSet<string> Known = ["href", "type", "title", "roles"];

    /// <summary><c>alternate.&lt;name&gt;.href</c>, e.g. name "IPFS" → "ipfs://bafy..."; null when absent.</summary>
    public string? AlternateHref(string name) =>
        Extra["alternate"] is JsonObject alt && alt[name] is JsonObject a ? StacJson.GetString(a, "href") : null;

    public static StacAsset FromJson(JsonObject o, string source)
    {
        var href = StacJson.GetString(o, "href") ?? throw new FormatException($"{source}: the asset has no string 'href'");
        var roles = o["roles"] is JsonArray r
            ? r.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList()
            : [];
        return new StacAsset(href)
        {
            Type = StacJson.GetString(o, "type"),
            Title = StacJson.GetString(o, "title"),
            Roles = roles,
            Extra = StacLink.ExtraOf(o, Known),
        };
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["href"] = Href };
        if (Type is not null) o["type"] = Type;
        if (Title is not null) o["title"] = Title;
        if (Roles.Count > 0) o["roles"] = new JsonArray(Roles.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        return o;
    }
}
