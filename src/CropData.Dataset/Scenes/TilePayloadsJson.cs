using System.Text.Encodings.Web;
using System.Text.Json;

namespace CropData.Dataset.Scenes;

/// <summary>
/// One band file of a scene and the IPFS CID it is published under (spec stage 6). A band fetched from another source
/// (spec stage 7) also says which (<see cref="Source"/>, <see cref="Url"/>), its <see cref="Sha256"/>, and how it was
/// verified (<see cref="Verified"/>: "cid", "umm-g SHA-256", … or "unverified origin"); its CID is then the one a Kubo
/// node would give the file. Bands from IPFS keep the original's three keys.
/// </summary>
public sealed record BandCid(string Filename, string Cid, string BandName)
{
    public string? Source { get; init; }
    public string? Url { get; init; }
    public string? Sha256 { get; init; }
    public string? Verified { get; init; }
}

/// <summary>
/// <c>tile_payloads.json</c> as the original wrote it: { scene id: [ {filename, cid, band_name}, ... ] }.
/// Scene keys are written in ordinal order; within a scene the bands keep the configured band order
/// (B02 B03 B04 B8A B11 B12 Fmask by default), as the original appended them. Two-space indent, "\n" line ends.
/// </summary>
public static class TilePayloadsJson
{
    public const string FileName = "tile_payloads.json";

    public static byte[] ToBytes(IEnumerable<KeyValuePair<string, IReadOnlyList<BandCid>>> payloads)
    {
        var sorted = new SortedDictionary<string, IReadOnlyList<BandCid>>(StringComparer.Ordinal);
        foreach (var (scene, bands) in payloads)
            if (!sorted.TryAdd(scene, bands)) throw new ArgumentException($"scene {scene} appears twice in the payloads", nameof(payloads));
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions
               { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            foreach (var (scene, bands) in sorted)
            {
                w.WriteStartArray(scene);
                foreach (var b in bands)
                {
                    w.WriteStartObject();
                    w.WriteString("filename", b.Filename);
                    w.WriteString("cid", b.Cid);
                    w.WriteString("band_name", b.BandName);
                    if (b.Source is not null) w.WriteString("source", b.Source);
                    if (b.Url is not null) w.WriteString("url", b.Url);
                    if (b.Sha256 is not null) w.WriteString("sha256", b.Sha256);
                    if (b.Verified is not null) w.WriteString("verified", b.Verified);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    public static void WriteFile(string path, IEnumerable<KeyValuePair<string, IReadOnlyList<BandCid>>> payloads)
    {
        var bytes = ToBytes(payloads);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }

    public static SortedDictionary<string, IReadOnlyList<BandCid>> Parse(ReadOnlySpan<byte> utf8, string source)
    {
        var result = new SortedDictionary<string, IReadOnlyList<BandCid>>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = false });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("the root is not an object");
            foreach (var scene in doc.RootElement.EnumerateObject())
            {
                if (scene.Value.ValueKind != JsonValueKind.Array) throw new FormatException($"scene {scene.Name}: expected an array");
                var list = new List<BandCid>();
                foreach (var e in scene.Value.EnumerateArray())
                {
                    string Req(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                        ? v.GetString()! : throw new FormatException($"scene {scene.Name}: an entry has no string '{name}'");
                    string? Opt(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                    list.Add(new BandCid(Req("filename"), Req("cid"), Req("band_name"))
                        { Source = Opt("source"), Url = Opt("url"), Sha256 = Opt("sha256"), Verified = Opt("verified") });
                }
                result[scene.Name] = list;
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message})", e);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
        return result;
    }

    public static SortedDictionary<string, IReadOnlyList<BandCid>> ReadFile(string path) => Parse(File.ReadAllBytes(path), path);
}
