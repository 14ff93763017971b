using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace CropData.Geo;

/// <summary>The one place that configures NetTopologySuite's System.Text.Json GeoJSON converters.</summary>
internal static class GeoJson
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions { WriteIndented = false };
        o.Converters.Add(new GeoJsonConverterFactory(Factory));
        return o;
    }

    /// <summary>Parses a file as JSON, turning a syntax error into a message that names the file.</summary>
    public static JsonDocument ParseFile(string path, string what)
    {
        if (!File.Exists(path)) throw new GeoInputException($"{what} '{path}' does not exist");
        try
        {
            using var s = File.OpenRead(path);
            return JsonDocument.Parse(s, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new GeoInputException($"{what} '{path}' is not JSON ({e.Message}); expected a GeoJSON document", e);
        }
    }

    public static T Deserialize<T>(JsonElement element, string path, string what)
    {
        try
        {
            return element.Deserialize<T>(Options)
                ?? throw new GeoInputException($"{what} '{path}' holds a null GeoJSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new GeoInputException($"{what} '{path}' is not valid GeoJSON: {e.Message}", e);
        }
    }

    /// <summary>Reads a property of a deserialized feature whatever attribute-table flavour the reader produced.</summary>
    public static bool TryGet<T>(IAttributesTable? attributes, string name, out T? value)
    {
        value = default;
        if (attributes is null || !attributes.Exists(name)) return false;
        try
        {
            if (attributes is IPartiallyDeserializedAttributesTable partial)
                return partial.TryGetJsonObjectPropertyValue(name, Options, out value);
            if (attributes[name] is T t) { value = t; return true; }
            return false;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    }
}
