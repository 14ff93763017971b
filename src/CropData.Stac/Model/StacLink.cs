using System.Text.Json.Nodes;

namespace CropData.Stac.Model;

/// <summary>
/// A STAC link. Besides rel/href/type/title it carries the STAC API paging fields: <c>method</c> (GET when absent),
/// <c>body</c>, <c>merge</c> and <c>headers</c> (item-search "Pagination"). Unknown fields are kept in <see cref="Extra"/>.
/// </summary>
public sealed record StacLink(string Rel, string Href)
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public string? Method { get; init; }
    public JsonObject? Body { get; init; }
    public bool Merge { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public JsonObject Extra { get; init; } = [];

    private static readonly HashSet<string> Known = ["rel", "href", "type", "title", "method", "body", "merge", "headers"];

    public static StacLink FromJson(JsonObject o, string source)
    {
        var rel = StacJson.GetString(o, "rel") ?? throw new FormatException($"{source}: a link has no string 'rel'");
        var href = StacJson.GetString(o, "href") ?? throw new FormatException($"{source}: link rel={rel} has no string 'href'");
        Dictionary<string, string>? headers = null;
        if (o["headers"] is JsonObject h)
        {
            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in h)
                headers[k] = v switch
                {
                    JsonValue jv when jv.TryGetValue<string>(out var s) => s,
                    JsonArray arr => string.Join(", ", arr.Select(x => x?.ToString() ?? "")),
                    _ => v?.ToJsonString() ?? "",
                };
        }
        return new StacLink(rel, href)
        {
            Type = StacJson.GetString(o, "type"),
            Title = StacJson.GetString(o, "title"),
            Method = StacJson.GetString(o, "method"),
            Body = o["body"] is JsonObject b ? (JsonObject)b.DeepClone() : null,
            Merge = o["merge"] is JsonValue m && m.TryGetValue<bool>(out var mb) && mb,
            Headers = headers,
            Extra = ExtraOf(o, Known),
        };
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["rel"] = Rel, ["href"] = Href };
        if (Type is not null) o["type"] = Type;
        if (Title is not null) o["title"] = Title;
        if (Method is not null) o["method"] = Method;
        if (Body is not null) o["body"] = Body.DeepClone();
        if (Merge) o["merge"] = true;
        if (Headers is not null)
        {
            var h = new JsonObject();
            foreach (var (k, v) in Headers.OrderBy(p => p.Key, StringComparer.Ordinal)) h[k] = v;
            o["headers"] = h;
        }
        foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        return o;
    }

    internal static JsonObject ExtraOf(JsonObject o, HashSet<string> known)
    {
        var extra = new JsonObject();
        foreach (var (k, v) in o)
            if (!known.Contains(k)) extra[k] = v?.DeepClone();
        return extra;
    }
}
