using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CropData.Dataset.Config;

/// <summary>A configuration error: names the file, the key, the value and what is allowed.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>A loaded configuration: the typed view plus the canonical tree that fingerprints read key by key.</summary>
public sealed class LoadedConfig
{
    public required DatasetConfig Config { get; init; }
    /// <summary>The effective configuration (defaults merged with the file) as a JSON tree with snake_case keys.</summary>
    public required JsonObject Tree { get; init; }
    public required string SourcePath { get; init; }

    /// <summary>
    /// Canonical compact JSON of the value at a dotted key ("selection.cloud_cover_threshold", or a whole
    /// section "selection"), or null when absent. Stable across runs: keys are sorted.
    /// </summary>
    public string? Value(string dottedKey)
    {
        JsonNode? node = Tree;
        foreach (var part in dottedKey.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return null;
        }
        return node is null ? "null" : ConfigLoader.Canonical(node);
    }
}

public static class ConfigLoader
{
    public static LoadedConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"config file '{path}' does not exist");
        string text = File.ReadAllText(path);
        return Parse(text, path);
    }

    public static LoadedConfig Parse(string yamlText, string sourceName = "<config>")
    {
        // Loading reads every setting (defaults, validation): it is no unit's read, whatever scope it is called in.
        using var _ = ConfigReads.Unchecked();
        JsonNode? fileTree;
        var lines = new Dictionary<string, Mark>(StringComparer.Ordinal);
        if (YamlSyntax.FindTabIndent(yamlText) is { } tab)
            throw new ConfigException(YamlSyntax.Describe(sourceName, yamlText, tab.Line, tab.Column, "a tab in the indentation (YAML indents with spaces only)"));
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yamlText));
            fileTree = stream.Documents.Count == 0 ? new JsonObject() : ToJson(stream.Documents[0].RootNode, "", lines);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // YamlDotNet reports an unclosed flow collection as an InvalidOperationException with no position: find the
            // bracket that was never closed ourselves; otherwise use the scanner's position.
            if (YamlSyntax.FindUnclosedBracket(yamlText) is { } open)
                throw new ConfigException(YamlSyntax.Describe(sourceName, yamlText, open.Line, open.Column, $"'{open.Bracket}' is never closed"));
            if (e is YamlException y)
                throw new ConfigException(YamlSyntax.Describe(sourceName, yamlText, (int)y.Start.Line, (int)y.Start.Column, "malformed YAML: " + (y.InnerException?.Message ?? y.Message)));
            throw new ConfigException($"{sourceName}: malformed YAML: {e.Message}");
        }
        if (fileTree is not JsonObject fileObject)
            throw new ConfigException($"{sourceName}: expected a mapping of settings at the top level");

        // Defaults first, then the file on top, so the tree holds every effective value.
        var defaults = (JsonObject)JsonSerializer.SerializeToNode(new DatasetConfig(), ConfigJson.Default.DatasetConfig)!;
        CheckKeys(fileObject, defaults, sourceName, "");
        var merged = Merge(defaults, fileObject);

        DatasetConfig config;
        try
        {
            config = merged.Deserialize(ConfigJson.Default.DatasetConfig)!;
        }
        catch (JsonException e)
        {
            var key = (e.Path ?? "$").TrimStart('$', '.');
            // Echo the value as written (from the merged tree) and where it is in the file.
            var path = System.Text.RegularExpressions.Regex.Replace(key, @"\[\d+\]$", "");
            JsonNode? value = merged;
            foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries)) value = value is JsonObject o && o.TryGetPropertyValue(part, out var v) ? v : null;
            string at = lines.TryGetValue(path, out var mark) ? $" (line {mark.Line}, column {mark.Column})" : "";
            string shown = value is null ? "" : $" '{(value is JsonValue jv && jv.TryGetValue<string>(out var str) ? str : value.ToJsonString())}'";
            throw new ConfigException($"{sourceName}: key '{key}'{at} has the value{shown} of the wrong type: {(TypeAt(key) is { } type ? "expected " + Kind(type) : Short(e.Message))}");
        }
        ConfigValidator.Validate(config, sourceName);
        return new LoadedConfig { Config = config, Tree = (JsonObject)Sort(merged), SourcePath = sourceName };
    }

    private static string Short(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    /// <summary>The type a dotted key holds, from the config's JSON metadata ("filter.max_bad_pct" → double, "bands[0]" → string).</summary>
    private static Type? TypeAt(string key)
    {
        Type type = typeof(DatasetConfig);
        foreach (var part in key.Split('.'))
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            var property = ConfigJson.Default.GetTypeInfo(type)?.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null) return null;
            type = property.PropertyType;
            if (bracket >= 0)
            {
                if (ElementType(type) is not { } element) return null;
                type = element;
            }
        }
        return type;
    }

    private static Type? ElementType(Type list) =>
        list.IsArray ? list.GetElementType() : list.IsGenericType && list.GetGenericArguments() is [var element] ? element : null;

    // "could not be converted to System.Int32" means nothing to someone editing YAML: name the kind of value.
    private static string Kind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a text value";
        if (ElementType(type) is { } element)
        {
            string of = Kind(element);
            return "a list" + (of is "an integer" ? " of integers" : of is "a number" ? " of numbers" : of is "a text value" ? " of text values" : "");
        }
        return type.Namespace?.StartsWith("CropData.", StringComparison.Ordinal) == true ? "a mapping of settings" : type.Name;
    }

    // Unknown keys are errors (a typo must not silently fall back to a default).
    private static void CheckKeys(JsonObject given, JsonObject defaults, string source, string prefix)
    {
        foreach (var (key, value) in given)
        {
            var full = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (!defaults.TryGetPropertyValue(key, out var template))
            {
                var allowed = string.Join(", ", defaults.Select(p => p.Key).Order(StringComparer.Ordinal));
                throw new ConfigException($"{source}: unknown key '{full}'; allowed here: {allowed}");
            }
            if (template is JsonObject t && value is JsonObject v) CheckKeys(v, t, source, full);
            else if (template is JsonObject && value is not null and not JsonObject)
                throw new ConfigException($"{source}: key '{full}' must be a mapping of settings, got '{value.ToJsonString()}'");
        }
    }

    private static JsonObject Merge(JsonObject defaults, JsonObject overrides)
    {
        var result = (JsonObject)defaults.DeepClone();
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject o && result[key] is JsonObject d) result[key] = Merge(d, o);
            else result[key] = value?.DeepClone();
        }
        return result;
    }

    internal static JsonNode Sort(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(x => x is null ? null : Sort(x)).ToArray()),
        _ => node.DeepClone(),
    };

    public static string Canonical(JsonNode node) => Sort(node).ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>YAML to JSON, remembering where each dotted key's value starts (for messages).</summary>
    private static JsonNode? ToJson(YamlNode node, string path, Dictionary<string, Mark> lines)
    {
        if (path.Length > 0) lines[path] = node.Start;
        return node switch
        {
            YamlMappingNode m => new JsonObject(m.Children.Select(kv =>
            {
                string key = ((YamlScalarNode)kv.Key).Value ?? "";
                return KeyValuePair.Create(key, ToJson(kv.Value, path.Length == 0 ? key : path + "." + key, lines));
            })),
            YamlSequenceNode s => new JsonArray(s.Children.Select(c => ToJson(c, path, lines)).ToArray()),
            YamlScalarNode sc => Scalar(sc),
            _ => throw new ConfigException($"unsupported YAML node at line {node.Start.Line}"),
        };
    }

    // Plain scalars follow YAML 1.2 core-schema typing; quoted scalars are always strings.
    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) && !double.IsInfinity(d))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}

/// <summary>
/// The config's JSON shape: snake_case keys, unknown keys and numbers in strings refused. Source-generated: building
/// these types' metadata by reflection was a fifth of a no-op build's start-up.
/// </summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    WriteIndented = false)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DatasetConfig))]
internal sealed partial class ConfigJson : System.Text.Json.Serialization.JsonSerializerContext;
