using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CropData.Stac.Model;

/// <summary>JSON in and out: tolerant parsing, deterministic bytes (2-space indent, "\n", trailing newline, no BOM).</summary>
public static class StacJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256,
    };

    public static JsonNode Parse(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            return JsonNode.Parse(utf8, NodeOptions, DocumentOptions) ?? throw new FormatException($"{source}: the document is JSON null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message})", e);
        }
    }

    public static JsonNode Parse(string json, string source) => Parse(System.Text.Encoding.UTF8.GetBytes(json), source);

    public static byte[] ToBytes(JsonNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) node.WriteTo(w);
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    public static string ToCompactString(JsonNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, CompactOptions)) node.WriteTo(w);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    internal static string? GetString(JsonObject o, string name) =>
        o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;

    internal static double[]? GetNumberArray(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var v) || v is not JsonArray a) return null;
        var result = new double[a.Count];
        for (var i = 0; i < a.Count; i++)
        {
            if (!TryGetDouble(a[i], out var d)) return null;
            result[i] = d;
        }
        return result;
    }

    /// <summary>A JSON number as double, whether parsed from text or created from an int/long/decimal value.</summary>
    public static bool TryGetDouble(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue jv || jv.GetValueKind() != JsonValueKind.Number) return false;
        if (jv.TryGetValue(out value)) return true;
        return double.TryParse(jv.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    internal static JsonArray NumberArray(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    internal static DateTimeOffset? ParseInstant(string? s) =>
        s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) ? d : null;

    internal static string FormatInstant(DateTimeOffset d) =>
        d.ToUniversalTime().ToString(d.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
            CultureInfo.InvariantCulture);
}
