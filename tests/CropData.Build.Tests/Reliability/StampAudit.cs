using System.Text.Json.Nodes;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Reads the engine's JSON stamps (.build/stamps/&lt;task&gt;/&lt;unit&gt;.json) the way the next build will and lists
/// every output it would take as up to date although its bytes are not the ones recorded (or not the ones an
/// uninterrupted build made). After a SIGKILL this must be empty: that is "no half-written file is ever considered
/// up to date".
/// </summary>
public static class StampAudit
{
    public sealed record Result(int Stamps, int OutputsChecked, IReadOnlyList<string> Violations);

    public static Result Check(string dataset, IReadOnlyDictionary<string, string>? reference)
    {
        var violations = new List<string>();
        var stampsDir = Path.Combine(dataset, ".build", "stamps");
        int stamps = 0, outputs = 0;
        if (!Directory.Exists(stampsDir)) return new Result(0, 0, []);
        foreach (var file in Directory.EnumerateFiles(stampsDir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            stamps++;
            var rel = Path.GetRelativePath(dataset, file);
            JsonNode? stamp;
            try { stamp = JsonNode.Parse(File.ReadAllBytes(file)); }
            catch (System.Text.Json.JsonException e)
            {
                // Stamps are written to a temp and renamed: a torn stamp under its real name is itself a violation.
                violations.Add($"{rel}: unreadable stamp ({e.Message})");
                continue;
            }
            if (stamp?["outputs"] is not JsonArray produced) { violations.Add($"{rel}: no outputs array"); continue; }
            foreach (var o in produced.OfType<JsonObject>())
            {
                var path = (string)o["path"]!;
                var sha = (string)o["sha256"]!;
                long size = (long?)o["size"] ?? 0, mtime = (long?)o["mtime"] ?? 0;
                var full = Path.IsPathRooted(path) ? path : Path.Combine(dataset, path);
                if (!File.Exists(full)) continue; // the next build rebuilds a unit whose output is missing
                outputs++;
                var info = new FileInfo(full);
                var actual = ReliabilityFixture.Sha256(full);
                bool vouchedByStat = mtime != 0 && info.Length == size && info.LastWriteTimeUtc.Ticks == mtime;
                if (vouchedByStat && actual != sha)
                    violations.Add($"{rel}: {path} keeps the recorded size and mtime but not the recorded bytes (half-written file taken as up to date)");
                if (actual == sha && reference is not null && !Path.IsPathRooted(path) && reference.TryGetValue(path, out var expected) && expected != sha)
                    violations.Add($"{rel}: {path} is up to date with bytes {sha[..12]}, the uninterrupted build wrote {expected[..12]}");
            }
        }
        return new Result(stamps, outputs, violations);
    }
}
