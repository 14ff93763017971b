namespace CropData.Dataset.Scenes;

/// <summary>
/// <c>selected_scenes.csv</c> (spec stage 5 output): one row per tile × slot, sorted by tile then slot
/// (first, middle, last; or date1 … dateN when a chip takes N ≠ 3 dates). Columns: tile_id (canonical, e.g. 14SPJ), slot, title_id (scene id, the original's
/// column name), date (yyyy-MM-dd), cloud_cover, spatial_cover, https_links, s3_links. The two link columns hold
/// one compact JSON object each, band → URL with ordinal-sorted keys, so the schema does not change with the band list.
/// </summary>
public static class SelectedScenesCsv
{
    public const string FileName = "selected_scenes.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["tile_id", "slot", "title_id", "date", "cloud_cover", "spatial_cover", "https_links", "s3_links"];

    public static IReadOnlyList<SelectedScene> Sort(IEnumerable<SelectedScene> rows) =>
        rows.OrderBy(r => HlsNames.NormalizeTile(r.TileId), StringComparer.Ordinal).ThenBy(r => r.Slot).ToList();

    public static void Write(TextWriter w, IEnumerable<SelectedScene> rows)
    {
        CsvText.WriteRow(w, Columns);
        var seen = new HashSet<(string, SceneSlot)>();
        var sorted = Sort(rows);
        var dates = sorted.GroupBy(r => HlsNames.NormalizeTile(r.TileId), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var r in sorted)
        {
            var tile = HlsNames.NormalizeTile(r.TileId);
            if (!seen.Add((tile, r.Slot)))
                throw new ArgumentException($"tile {tile} has two scenes in slot {r.Slot.Index + 1} ({r.Scene.SceneId})", nameof(rows));
            CsvText.WriteRow(w,
            [
                tile, SceneSlots.Name(r.Slot, dates[tile]), r.Scene.SceneId, CsvText.Date(r.Scene.Date),
                CsvText.Int(r.Scene.CloudCover), CsvText.Int(r.Scene.SpatialCover),
                CsvText.LinksJson(r.Scene.HttpsLinks), CsvText.LinksJson(r.Scene.S3Links),
            ]);
        }
    }

    public static string ToText(IEnumerable<SelectedScene> rows) => CsvText.ToText(w => Write(w, rows));

    public static void WriteFile(string path, IEnumerable<SelectedScene> rows) => CsvText.WriteFile(path, w => Write(w, rows));

    public static IReadOnlyList<SelectedScene> Read(TextReader reader, string source)
    {
        var result = new List<SelectedScene>();
        foreach (var (row, f) in CsvText.ReadRows(reader, source, Columns))
        {
            var where = $"{source} line {row}";
            var sceneId = f("title_id");
            var scene = new SceneRecord(sceneId, HlsNames.NormalizeTile(f("tile_id")),
                CsvText.ParseDate(f("date"), where + " date"),
                CsvText.ParseInt(f("cloud_cover"), where + " cloud_cover"),
                CsvText.ParseInt(f("spatial_cover"), where + " spatial_cover"),
                CsvText.ParseLinksJson(f("https_links"), where + " https_links"),
                CsvText.ParseLinksJson(f("s3_links"), where + " s3_links"));
            SceneSlot slot;
            try { slot = SceneSlots.Parse(f("slot")); }
            catch (FormatException e) { throw new FormatException($"{where}: {e.Message}", e); }
            result.Add(new SelectedScene(scene.TileId, slot, scene));
        }
        return result;
    }

    public static IReadOnlyList<SelectedScene> ReadFile(string path) => CsvText.ReadFile(path, Read);
}

/// <summary>
/// <c>scene_candidates.csv</c>: every usable scene discovered for a tile (spec stage 3 output, the input of the
/// pure selection), sorted by tile, date, scene id. Same columns as <see cref="SelectedScenesCsv"/> without slot.
/// Keeping discovery and selection apart lets a threshold change re-run only the selection.
/// </summary>
public static class SceneCandidatesCsv
{
    public const string FileName = "scene_candidates.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["tile_id", "title_id", "date", "cloud_cover", "spatial_cover", "https_links", "s3_links"];

    public static IReadOnlyList<SceneRecord> Sort(IEnumerable<SceneRecord> rows) =>
        rows.OrderBy(r => HlsNames.NormalizeTile(r.TileId), StringComparer.Ordinal)
            .ThenBy(r => r.Date).ThenBy(r => r.SceneId, StringComparer.Ordinal).ToList();

    public static void Write(TextWriter w, IEnumerable<SceneRecord> rows)
    {
        CsvText.WriteRow(w, Columns);
        foreach (var s in Sort(rows))
            CsvText.WriteRow(w,
            [
                HlsNames.NormalizeTile(s.TileId), s.SceneId, CsvText.Date(s.Date), CsvText.Int(s.CloudCover),
                CsvText.Int(s.SpatialCover), CsvText.LinksJson(s.HttpsLinks), CsvText.LinksJson(s.S3Links),
            ]);
    }

    public static string ToText(IEnumerable<SceneRecord> rows) => CsvText.ToText(w => Write(w, rows));

    public static void WriteFile(string path, IEnumerable<SceneRecord> rows) => CsvText.WriteFile(path, w => Write(w, rows));

    public static IReadOnlyList<SceneRecord> Read(TextReader reader, string source)
    {
        var result = new List<SceneRecord>();
        foreach (var (row, f) in CsvText.ReadRows(reader, source, Columns))
        {
            var where = $"{source} line {row}";
            result.Add(new SceneRecord(f("title_id"), HlsNames.NormalizeTile(f("tile_id")),
                CsvText.ParseDate(f("date"), where + " date"),
                CsvText.ParseInt(f("cloud_cover"), where + " cloud_cover"),
                CsvText.ParseInt(f("spatial_cover"), where + " spatial_cover"),
                CsvText.ParseLinksJson(f("https_links"), where + " https_links"),
                CsvText.ParseLinksJson(f("s3_links"), where + " s3_links")));
        }
        return result;
    }

    public static IReadOnlyList<SceneRecord> ReadFile(string path) => CsvText.ReadFile(path, Read);
}

/// <summary>
/// <c>scene_issues.csv</c>: scenes skipped during discovery or CID lookup and tiles dropped by the rules, with why.
/// Columns tile_id, title_id (empty for a whole tile), problem; sorted by tile, scene, problem.
/// </summary>
public static class SceneIssuesCsv
{
    public static readonly IReadOnlyList<string> Columns = ["tile_id", "title_id", "problem"];

    public static IReadOnlyList<SceneIssue> Sort(IEnumerable<SceneIssue> rows) =>
        rows.OrderBy(r => r.TileId, StringComparer.Ordinal).ThenBy(r => r.SceneId, StringComparer.Ordinal)
            .ThenBy(r => r.Problem, StringComparer.Ordinal).ToList();

    public static void Write(TextWriter w, IEnumerable<SceneIssue> rows)
    {
        CsvText.WriteRow(w, Columns);
        foreach (var i in Sort(rows)) CsvText.WriteRow(w, [i.TileId, i.SceneId, i.Problem]);
    }

    public static void WriteFile(string path, IEnumerable<SceneIssue> rows) => CsvText.WriteFile(path, w => Write(w, rows));

    public static string ToText(IEnumerable<SceneIssue> rows) => CsvText.ToText(w => Write(w, rows));

    public static IReadOnlyList<SceneIssue> Read(TextReader reader, string source) =>
        CsvText.ReadRows(reader, source, Columns).Select(x => new SceneIssue(x.Field("tile_id"), x.Field("title_id"), x.Field("problem"))).ToList();

    public static IReadOnlyList<SceneIssue> ReadFile(string path) => CsvText.ReadFile(path, Read);
}

/// <summary>One row of <c>tile_selection.csv</c> as read back (the chosen scenes live in selected_scenes.csv).</summary>
public sealed record TileSelectionRow(
    string TileId, int CandidateCount, int AfterCloudCount, int? CoverageThreshold, int AfterCoverageCount, bool IsSelected, string DropReason);

/// <summary>
/// <c>tile_selection.csv</c>: one row per tile saying how the rules went (candidates, after the cloud filter, the
/// coverage threshold that won, how many passed it, selected or the reason it was dropped). Sorted by tile.
/// </summary>
public static class TileSelectionCsv
{
    public static readonly IReadOnlyList<string> Columns =
        ["tile_id", "candidates", "after_cloud", "coverage_threshold", "after_coverage", "selected", "drop_reason"];

    public static void Write(TextWriter w, IEnumerable<TileSelection> tiles) => Write(w, tiles.Select(ToRow));

    public static void Write(TextWriter w, IEnumerable<TileSelectionRow> tiles)
    {
        CsvText.WriteRow(w, Columns);
        foreach (var t in tiles.OrderBy(t => t.TileId, StringComparer.Ordinal))
            CsvText.WriteRow(w,
            [
                t.TileId, CsvText.Int(t.CandidateCount), CsvText.Int(t.AfterCloudCount),
                t.CoverageThreshold is { } c ? CsvText.Int(c) : "", CsvText.Int(t.AfterCoverageCount),
                t.IsSelected ? "true" : "false", t.DropReason,
            ]);
    }

    public static TileSelectionRow ToRow(TileSelection t) =>
        new(t.TileId, t.CandidateCount, t.AfterCloudCount, t.CoverageThreshold, t.AfterCoverageCount, t.IsSelected, t.DropReason ?? "");

    public static void WriteFile(string path, IEnumerable<TileSelection> tiles) => CsvText.WriteFile(path, w => Write(w, tiles));

    public static string ToText(IEnumerable<TileSelectionRow> tiles) => CsvText.ToText(w => Write(w, tiles));

    public static IReadOnlyList<TileSelectionRow> ReadFile(string path) => CsvText.ReadFile(path, Read);

    public static IReadOnlyList<TileSelectionRow> Read(TextReader reader, string source) =>
        CsvText.ReadRows(reader, source, Columns).Select(x =>
        {
            var where = $"{source} line {x.Row}";
            var threshold = x.Field("coverage_threshold");
            return new TileSelectionRow(
                x.Field("tile_id"), CsvText.ParseInt(x.Field("candidates"), where), CsvText.ParseInt(x.Field("after_cloud"), where),
                threshold.Length == 0 ? null : CsvText.ParseInt(threshold, where), CsvText.ParseInt(x.Field("after_coverage"), where),
                x.Field("selected") switch
                {
                    "true" => true,
                    "false" => false,
                    var v => throw new FormatException($"{where}: selected = '{v}', expected true or false"),
                },
                x.Field("drop_reason"));
        }).ToList();
}
