using System.Text;

namespace CropData.Dataset.Scenes;

/// <summary>
/// Reader of the original pipeline's <c>selected_tiles.csv</c> (columns tile_id, cloud_cover, date, spatial_cover,
/// http_links, s3_links; the link columns are Python dict reprs). It has no scene-id column: the scene id is the
/// parent folder of the band links. Quirk of the real file: its Fmask https link is a pystac repr
/// <c>&lt;Asset href=URL&gt;</c>, read here as URL. Lets the project import a run of the original.
/// </summary>
public static class OriginalSelectedTilesCsv
{
    public static readonly IReadOnlyList<string> Columns = ["tile_id", "cloud_cover", "date", "spatial_cover", "http_links", "s3_links"];

    public static IReadOnlyList<SceneRecord> Read(TextReader reader, string source)
    {
        var result = new List<SceneRecord>();
        foreach (var (row, f) in CsvText.ReadRows(reader, source, Columns))
        {
            var where = $"{source} line {row}";
            var https = ParsePythonLinks(f("http_links"), where + " http_links");
            var s3 = ParsePythonLinks(f("s3_links"), where + " s3_links");
            var anyLink = https.Values.Concat(s3.Values).FirstOrDefault()
                ?? throw new FormatException($"{where}: no links, so no scene id");
            var sceneId = SceneIdOfLink(anyLink) ?? throw new FormatException($"{where}: cannot take a scene id from link '{anyLink}'");
            var tile = HlsNames.NormalizeTile(f("tile_id"));
            if (HlsNames.TileOfScene(sceneId) != tile)
                throw new FormatException($"{where}: tile_id {f("tile_id")} does not match the links' scene {sceneId}");
            result.Add(new SceneRecord(sceneId, tile, CsvText.ParseDate(f("date"), where + " date"),
                CsvText.ParseInt(f("cloud_cover"), where + " cloud_cover"),
                CsvText.ParseInt(f("spatial_cover"), where + " spatial_cover"), https, s3));
        }
        return result;
    }

    public static IReadOnlyList<SceneRecord> ReadFile(string path) => CsvText.ReadFile(path, Read);

    /// <summary>The scene id of a band link: its file name without ".&lt;band&gt;.tif".</summary>
    public static string? SceneIdOfLink(string url)
    {
        var name = url[(url.LastIndexOf('/') + 1)..];
        var parts = name.Split('.');
        return parts.Length >= 3 ? string.Join('.', parts[..^2]) : null;
    }

    /// <summary>Parses <c>{'B02': 'url', 'Fmask': &lt;Asset href=url&gt;}</c> into band → URL.</summary>
    public static SortedDictionary<string, string> ParsePythonLinks(string text, string where)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var s = text.Trim();
        var i = 0;
        void Fail(string what) => throw new FormatException($"{where}: {what} at character {i} of '{CsvText.Shorten(s)}'");
        void SkipWs() { while (i < s.Length && char.IsWhiteSpace(s[i])) i++; }
        string Quoted()
        {
            var q = s[i];
            var sb = new StringBuilder();
            i++;
            while (i < s.Length && s[i] != q)
            {
                if (s[i] == '\\' && i + 1 < s.Length) i++;
                sb.Append(s[i++]);
            }
            if (i >= s.Length) Fail("unterminated string");
            i++;
            return sb.ToString();
        }
        string Value()
        {
            SkipWs();
            if (i < s.Length && (s[i] == '\'' || s[i] == '"')) return Quoted();
            const string asset = "<Asset href=";
            if (string.CompareOrdinal(s, i, asset, 0, asset.Length) == 0)
            {
                var end = s.IndexOf('>', i);
                if (end < 0) Fail("unterminated <Asset ...>");
                var v = s[(i + asset.Length)..end].Trim();
                i = end + 1;
                return v;
            }
            Fail("expected a quoted string or <Asset href=...>");
            return "";
        }

        if (s.Length == 0) return result;
        if (s[0] != '{') Fail("expected '{'");
        i = 1;
        SkipWs();
        while (i < s.Length && s[i] != '}')
        {
            if (s[i] != '\'' && s[i] != '"') Fail("expected a quoted band name");
            var key = Quoted();
            SkipWs();
            if (i >= s.Length || s[i] != ':') Fail("expected ':'");
            i++;
            result[key] = Value();
            SkipWs();
            if (i < s.Length && s[i] == ',') { i++; SkipWs(); }
        }
        if (i >= s.Length) Fail("expected '}'");
        return result;
    }
}
