using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CropData.Dataset.Scenes;

/// <summary>Shared plumbing of the scene tables: RFC 4180 rows with "\n" line ends, UTF-8 without BOM, invariant culture.</summary>
internal static class CsvText
{
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteRow(TextWriter w, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) w.Write(',');
            first = false;
            if (f.AsSpan().IndexOfAny(",\"\r\n") >= 0) w.Write('"' + f.Replace("\"", "\"\"") + '"');
            else w.Write(f);
        }
        w.Write('\n');
    }

    public static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Band → URL map as a compact JSON object with ordinal-sorted keys (one column holds all bands).</summary>
    public static string LinksJson(IReadOnlyDictionary<string, string> links)
    {
        using var ms = new MemoryStream();
        using (var jw = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            jw.WriteStartObject();
            foreach (var (k, v) in links.OrderBy(p => p.Key, StringComparer.Ordinal)) jw.WriteString(k, v);
            jw.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static SortedDictionary<string, string> ParseLinksJson(string json, string where)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return result;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
                result[p.Name] = p.Value.GetString() ?? throw new FormatException($"link of band {p.Name} is null");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"{where}: expected a JSON object band → URL, got '{Shorten(json)}' ({e.Message})", e);
        }
        return result;
    }

    public static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    /// <summary>Reads a headed CSV, checking the required columns, and yields (row number, field getter).</summary>
    public static IEnumerable<(int Row, Func<string, string> Field)> ReadRows(TextReader reader, string source, IReadOnlyList<string> required)
    {
        var records = ReadRecords(reader, source).GetEnumerator();
        if (!records.MoveNext()) throw new FormatException($"{source}: empty file, expected a header with {string.Join(", ", required)}");
        var header = records.Current.Fields;
        var missing = required.Where(r => !header.Contains(r, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"{source}: missing column(s) {string.Join(", ", missing)}; header is {string.Join(", ", header)}");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++) index.TryAdd(header[i], i);
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            if (fields.Count != header.Count)
                throw new FormatException($"{source} line {line}: {fields.Count} fields, the header has {header.Count}");
            yield return (line, name => fields[index[name]]);
        }
    }

    /// <summary>RFC 4180 records (quoted fields may hold commas, quotes and line breaks), with their first line number.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> ReadRecords(TextReader reader, string source)
    {
        var line = 1;
        while (reader.Peek() >= 0)
        {
            var start = line;
            var fields = new List<string>();
            var sb = new StringBuilder();
            var quoted = false;
            var atFieldStart = true;
            while (true)
            {
                var c = reader.Read();
                if (c < 0)
                {
                    if (quoted) throw new FormatException($"{source} line {start}: unterminated quoted field");
                    break;
                }
                var ch = (char)c;
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"') { reader.Read(); sb.Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (ch == '\n') line++;
                        sb.Append(ch);
                    }
                    continue;
                }
                if (ch == '"' && atFieldStart) { quoted = true; atFieldStart = false; continue; }
                if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); atFieldStart = true; continue; }
                if (ch == '\r') { if (reader.Peek() == '\n') reader.Read(); line++; break; }
                if (ch == '\n') { line++; break; }
                sb.Append(ch);
                atFieldStart = false;
            }
            fields.Add(sb.ToString());
            yield return (start, fields);
        }
    }

    public static int ParseInt(string s, string where)
    {
        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
        throw new FormatException($"{where}: expected an integer, got '{Shorten(s)}'");
    }

    public static DateOnly ParseDate(string s, string where)
    {
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        throw new FormatException($"{where}: expected a date yyyy-MM-dd, got '{Shorten(s)}'");
    }

    /// <summary>What <paramref name="write"/> writes, as a string (the gathered tables are compared before rewriting).</summary>
    public static string ToText(Action<TextWriter> write)
    {
        var sw = new StringWriter { NewLine = "\n" };
        write(sw);
        return sw.ToString();
    }

    /// <summary>Reads a table file with its reader, naming the file in any error.</summary>
    public static T ReadFile<T>(string path, Func<TextReader, string, T> read)
    {
        using var r = new StreamReader(path, Utf8);
        return read(r, path);
    }

    public static void WriteFile(string path, Action<TextWriter> write)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path, append: false, Utf8);
        write(w);
    }
}
