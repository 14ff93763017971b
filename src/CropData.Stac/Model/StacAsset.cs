using System.Text.Json.Nodes;

namespace CropData.Stac.Model;

/// <summary>
/// A STAC asset: href, type, title, roles, and every other field kept raw in <see cref="Extra"/>
/// (e.g. <c>alternate</c> of the Alternate Assets extension that Easier STAC uses for IPFS, or <c>eo:bands</c>).
/// <see cref="Href"/> is null for an asset that has none (real Easier items have such thumbnails): whoever needs the
/// asset's href says so, naming the asset, instead of the whole item being rejected.
/// </summary>
public sealed record StacAsset(string? Href)
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public JsonObject Extra { get; init; } = [];

    private static readonly HashSet<string> Known = ["href", "type", "title", "roles"];

    /// <summary>
    /// <c>alternate.&lt;name&gt;.href</c>, e.g. name "IPFS" → "ipfs://bafy..."; also the bare-string form
    /// <c>alternate.&lt;name&gt; = "bafy..."</c> some Easier items carry; null when absent.
    /// </summary>
    public string? AlternateHref(string name) => Extra["alternate"] is not JsonObject alt ? null
        : alt[name] is JsonObject a ? StacJson.GetString(a, "href")
        : alt[name] is JsonValue v && v.TryGetValue<string>(out var bare) && bare.Length > 0 ? bare
        : null;

    public static StacAsset FromJson(JsonObject o, string source)
    {
        var href = StacJson.GetString(o, "href");
        if (href is null && o["href"] is { } other)
            throw new FormatException($"{source}: the asset's 'href' is a {other.GetValueKind()}, not a string");
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
        var o = new JsonObject();
        if (Href is not null) o["href"] = Href;
        if (Type is not null) o["type"] = Type;
        if (Title is not null) o["title"] = Title;
        if (Roles.Count > 0) o["roles"] = new JsonArray(Roles.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        return o;
    }
}
