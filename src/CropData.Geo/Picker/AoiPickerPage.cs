using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;

namespace CropData.Geo;

public sealed record AoiPickerOptions
{
    public string Title { get; init; } = "Crop dataset AOI picker";

    /// <summary>XYZ tile URL of the online basemap, used only when the viewer can load it; null = never.</summary>
    public string? BasemapUrlTemplate { get; init; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

    public string BasemapAttribution { get; init; } = "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors";

    /// <summary>Name of the downloaded AOI file.</summary>
    public string DownloadFileName { get; init; } = "aoi.geojson";
}

/// <summary>
/// Writes a single self-contained HTML page (Leaflet 1.9.4 + Leaflet.draw 1.0.4 inlined, images as data URIs,
/// chips embedded as JSON) that shows the chips and their tiles and downloads an AOI GeoJSON accepted by
/// <see cref="AoiDocument"/> as is. The page needs no server and no internet; with internet it adds a basemap.
/// </summary>
public static class AoiPickerPage
{
    public static void Write(string path, IEnumerable<Chip> chips, IEnumerable<ChipTile>? tiles = null, AoiPickerOptions? options = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Render(chips, tiles, options), new UTF8Encoding(false));
    }

    public static string Render(IEnumerable<Chip> chips, IEnumerable<ChipTile>? tiles = null, AoiPickerOptions? options = null)
    {
        var o = options ?? new AoiPickerOptions();
        var tileById = (tiles ?? []).GroupBy(t => t.ChipId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Tile, StringComparer.Ordinal);
        var config = new Dictionary<string, object?>
        {
            ["basemap"] = o.BasemapUrlTemplate,
            ["attribution"] = o.BasemapAttribution,
            ["attributionText"] = "OpenStreetMap",
            ["fileName"] = o.DownloadFileName,
        };
        var html = Resource("aoi-picker/picker.html");
        // Order matters only in that user-visible text goes in last, so it cannot inject a marker.
        return html
            .Replace("/*LEAFLET_CSS*/", InlineImages(Resource("aoi-picker/vendor/leaflet.css")))
            .Replace("/*LEAFLET_DRAW_CSS*/", InlineImages(Resource("aoi-picker/vendor/leaflet.draw.css")))
            .Replace("/*PICKER_CSS*/", Resource("aoi-picker/picker.css"))
            .Replace("/*LEAFLET_JS*/", ScriptSafe(Resource("aoi-picker/vendor/leaflet.js"), "leaflet.js"))
            .Replace("/*LEAFLET_DRAW_JS*/", ScriptSafe(Resource("aoi-picker/vendor/leaflet.draw.js"), "leaflet.draw.js"))
            .Replace("/*PICKER_JS*/", ScriptSafe(Resource("aoi-picker/picker.js"), "picker.js"))
            .Replace("/*CONFIG_JSON*/", JsonSerializer.Serialize(config))
            .Replace("/*CHIPS_JSON*/", ChipsJson(chips, tileById))
            .Replace("/*TITLE*/", System.Net.WebUtility.HtmlEncode(o.Title));
    }

    /// <summary>{"chips": [[id, tile, [[lon, lat] x 4]], ...]} sorted by id, coordinates at full precision so the
    /// page's selection preview matches the builder's.</summary>
    private static string ChipsJson(IEnumerable<Chip> chips, Dictionary<string, string> tileById)
    {
        var sb = new StringBuilder("{\"chips\":[");
        var first = true;
        foreach (var c in chips.DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            if (!first) sb.Append(',');
            first = false;
            var ring = ((Polygon)c.Footprint4326.GetGeometryN(0)).ExteriorRing.Coordinates;
            sb.Append("[\"").Append(c.Id).Append("\",\"").Append(tileById.GetValueOrDefault(c.Id, "")).Append("\",[");
            for (var i = 0; i < ring.Length - 1; i++)   // the closing point repeats the first
            {
                if (i > 0) sb.Append(',');
                sb.Append('[').Append(ring[i].X.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                  .Append(ring[i].Y.ToString("R", CultureInfo.InvariantCulture)).Append(']');
            }
            sb.Append("]]");
        }
        return sb.Append("]}").ToString();
    }

    private static string InlineImages(string css)
    {
        foreach (var name in new[] { "layers.png", "layers-2x.png", "marker-icon.png", "spritesheet.png", "spritesheet-2x.png", "spritesheet.svg" })
        {
            var mime = name.EndsWith(".svg", StringComparison.Ordinal) ? "image/svg+xml" : "image/png";
            var uri = $"data:{mime};base64,{Convert.ToBase64String(ResourceBytes("aoi-picker/vendor/images/" + name))}";
            css = css.Replace($"url('images/{name}')", $"url('{uri}')").Replace($"url(images/{name})", $"url('{uri}')");
        }
        return css;
    }

    // Inline scripts end at the first "</script"; a vendored file containing it would break the page silently.
    private static string ScriptSafe(string js, string name) =>
        js.Contains("</script", StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException($"{name} contains '</script' and cannot be inlined")
            : js;

    private static string Resource(string name) => Encoding.UTF8.GetString(ResourceBytes(name));

    private static byte[] ResourceBytes(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing (tools/aoi-picker/vendor not vendored?)");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
