using System.Globalization;
using System.Net;
using System.Text;
using CropData.Dataset.Finishing;

namespace CropData.Report;

/// <summary>
/// The static HTML report (<c>report/index.html</c>): one self-contained page — inline CSS and SVG, no script, no
/// network — whose images are relative links to PNGs in the report folder. Sections: summary (chips built/kept and
/// why the others were not, per tile, with the three scene dates), overview map, splits with class distributions,
/// band statistics, class weights with the colour legend, QA rejects (bad_pct per date, na_count), quicklooks.
/// Deterministic: tiles and chips are ordered by id and numbers use the invariant culture; there is no timestamp.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "index.html";

    /// <summary>Writes <c>index.html</c> into <paramref name="reportFolder"/>; returns its path. Linked PNGs must already
    /// be there (or be written by the caller) — the page only references them.</summary>
    public static string Write(ReportModel model, string reportFolder)
    {
        var path = Path.Combine(reportFolder, FileName);
        FinishingFormat.WriteText(path, Render(model));
        return path;
    }

    public static string Render(ReportModel m)
    {
        var tiles = m.Tiles.OrderBy(t => t.TileId, StringComparer.Ordinal).ToList();
        var chips = m.Chips.OrderBy(c => c.ChipId, StringComparer.Ordinal).ToList();
        foreach (var link in chips.Select(c => c.QuicklookPng).Concat(m.Splits.Select(s => s.ChartPng)).OfType<string>())
            CheckRelative(link);

        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<title>").Append(E(m.Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(m.Title)).Append("</h1>\n");
        if (m.ToolVersion is not null) sb.Append("<p class=\"muted\">Built with CropData ").Append(E(m.ToolVersion)).Append("</p>\n");
        if (m.Settings.Count > 0)
        {
            sb.Append("<table class=\"kv\">\n");
            foreach (var kv in m.Settings) sb.Append("<tr><th>").Append(E(kv.Key)).Append("</th><td>").Append(E(kv.Value)).Append("</td></tr>\n");
            sb.Append("</table>\n");
        }
        sb.Append("<nav><a href=\"#summary\">Summary</a> · <a href=\"#map\">Map</a> · <a href=\"#splits\">Splits</a> · ")
          .Append("<a href=\"#stats\">Band statistics</a> · <a href=\"#weights\">Class weights</a> · <a href=\"#rejects\">QA rejects</a> · ")
          .Append("<a href=\"#quicklooks\">Quicklooks</a></nav>\n");

        Summary(sb, tiles, chips);
        BandSources(sb, m.BandSources);
        if (m.Notes.Count > 0)
        {
            sb.Append("<h2 id=\"notes\">Notes</h2>\n<ul>\n");
            foreach (var n in m.Notes) sb.Append("<li>").Append(E(n)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
        sb.Append("<h2 id=\"map\">Overview map</h2>\n");
        sb.Append("<p class=\"legend\">");
        foreach (var (status, colour) in OverviewMap.StatusColours)
            sb.Append("<span class=\"sw\" style=\"background:").Append(colour).Append("\"></span>").Append(OverviewMap.StatusText(status)).Append(' ');
        sb.Append("<span class=\"sw outline\"></span>tile outline (EPSG:5070)</p>\n");
        sb.Append(OverviewMap.Svg(tiles, chips));
        Splits(sb, m.Splits);
        Stats(sb, m.Stats);
        Weights(sb, m.Weights, m.Splits);
        Rejects(sb, chips);
        QuicklookSection(sb, chips, tiles);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Summary(StringBuilder sb, List<ReportTile> tiles, List<ReportChip> chips)
    {
        sb.Append("<h2 id=\"summary\">Summary</h2>\n");
        int Count(IEnumerable<ReportChip> cs, ChipStatus s) => cs.Count(c => c.Status == s);
        sb.Append("<p>").Append(I(chips.Count)).Append(" chips in the AOI: <b>").Append(I(Count(chips, ChipStatus.Kept))).Append(" kept</b>, ")
          .Append(I(Count(chips, ChipStatus.Rejected))).Append(" rejected by the filter, ")
          .Append(I(Count(chips, ChipStatus.Skipped))).Append(" skipped, ")
          .Append(I(Count(chips, ChipStatus.Failed))).Append(" failed.</p>\n");

        var reasons = chips.Where(c => c.Status != ChipStatus.Kept)
            .GroupBy(c => (c.Status, Reason: c.Reason ?? "(no reason given)"))
            .OrderBy(g => g.Key.Status).ThenBy(g => g.Key.Reason, StringComparer.Ordinal).ToList();
        if (reasons.Count > 0)
        {
            sb.Append("<table>\n<tr><th>status</th><th>reason</th><th class=\"n\">chips</th></tr>\n");
            foreach (var g in reasons)
                sb.Append("<tr><td>").Append(OverviewMap.StatusText(g.Key.Status)).Append("</td><td>").Append(E(g.Key.Reason))
                  .Append("</td><td class=\"n\">").Append(I(g.Count())).Append("</td></tr>\n");
            sb.Append("</table>\n");
        }

        sb.Append("<h3>Per tile</h3>\n<table>\n<tr><th>tile</th><th>scene dates</th><th>scenes</th><th class=\"n\">chips</th>")
          .Append("<th class=\"n\">kept</th><th class=\"n\">rejected</th><th class=\"n\">skipped</th><th class=\"n\">failed</th><th>why not kept</th></tr>\n");
        var tileIds = tiles.Select(t => t.TileId).Union(chips.Select(c => c.Tile)).Order(StringComparer.Ordinal);
        foreach (var id in tileIds)
        {
            var t = tiles.FirstOrDefault(x => x.TileId == id);
            var cs = chips.Where(c => c.Tile == id).ToList();
            var scenes = t?.Scenes.OrderBy(s => s.Date).ThenBy(s => s.SceneId, StringComparer.Ordinal).ToList() ?? [];
            sb.Append("<tr><td>").Append(E(id)).Append("</td><td>")
              .Append(scenes.Count == 0 ? "—" : string.Join("<br>", scenes.Select(s => D(s.Date))))
              .Append("</td><td class=\"small\">").Append(string.Join("<br>", scenes.Select(s => E(s.SceneId) + SceneCover(s))))
              .Append("</td><td class=\"n\">").Append(I(cs.Count))
              .Append("</td><td class=\"n\">").Append(I(Count(cs, ChipStatus.Kept)))
              .Append("</td><td class=\"n\">").Append(I(Count(cs, ChipStatus.Rejected)))
              .Append("</td><td class=\"n\">").Append(I(Count(cs, ChipStatus.Skipped)))
              .Append("</td><td class=\"n\">").Append(I(Count(cs, ChipStatus.Failed)))
              .Append("</td><td class=\"small\">").Append(string.Join("<br>", cs.Where(c => c.Status != ChipStatus.Kept)
                  .GroupBy(c => c.Reason ?? OverviewMap.StatusText(c.Status)).OrderBy(g => g.Key, StringComparer.Ordinal)
                  .Select(g => E(g.Key) + ": " + I(g.Count()))))
              .Append("</td></tr>\n");
        }
        sb.Append("</table>\n");
    }

    /// <summary>Per scene, which bands came from which source and how each was verified ("unverified origin" stands out).</summary>
    private static void BandSources(StringBuilder sb, IReadOnlyList<ReportBandSource> bands)
    {
        if (bands.Count == 0) return;
        sb.Append("<h3 id=\"sources\">Band sources</h3>\n<table>\n<tr><th>scene</th><th>bands</th><th>source</th><th>verified by</th></tr>\n");
        foreach (var g in bands.GroupBy(b => (b.SceneId, b.Source, b.Verified)).OrderBy(g => g.Key.SceneId, StringComparer.Ordinal)
                     .ThenBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.Verified, StringComparer.Ordinal))
            sb.Append("<tr><td class=\"small\">").Append(E(g.Key.SceneId)).Append("</td><td>").Append(E(string.Join(" ", g.Select(b => b.Band))))
              .Append("</td><td>").Append(E(g.Key.Source)).Append("</td><td>")
              .Append(g.Key.Verified == "unverified origin" ? "<b>unverified origin</b>" : E(g.Key.Verified)).Append("</td></tr>\n");
        sb.Append("</table>\n");
    }

    private static string SceneCover(ReportScene s) =>
        s.CloudCover is null && s.SpatialCover is null ? "" :
        $" <span class=\"muted\">(cloud {(s.CloudCover is { } c ? I(c) : "?")} %, coverage {(s.SpatialCover is { } v ? I(v) : "?")} %)</span>";

    private static void Splits(StringBuilder sb, IReadOnlyList<ReportSplit> splits)
    {
        sb.Append("<h2 id=\"splits\">Splits and class distribution</h2>\n");
        if (splits.Count == 0) { sb.Append("<p>No split computed.</p>\n"); return; }
        sb.Append("<table>\n<tr><th>class</th>");
        foreach (var s in splits) sb.Append("<th class=\"n\">").Append(E(s.Name)).Append(" pixels</th><th class=\"n\">%</th>");
        sb.Append("</tr>\n<tr><td><i>chips</i></td>");
        foreach (var s in splits) sb.Append("<td class=\"n\">").Append(I(s.ChipCount)).Append("</td><td></td>");
        sb.Append("</tr>\n");
        for (int c = 0; c < CropClasses.Count; c++)
        {
            sb.Append("<tr><td>").Append(Swatch(c)).Append(I(c)).Append(' ').Append(E(CropClasses.NameOf(c))).Append("</td>");
            foreach (var s in splits)
                sb.Append("<td class=\"n\">").Append(I(s.Counts[c])).Append("</td><td class=\"n\">")
                  .Append(FinishingFormat.Fixed(s.Counts.Percentages[c], 2)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
        foreach (var s in splits.Where(s => s.ChartPng is not null))
            sb.Append("<figure><img src=\"").Append(Href(s.ChartPng!)).Append("\" alt=\"class distribution of ").Append(E(s.Name))
              .Append("\"><figcaption>").Append(E(s.Name)).Append("</figcaption></figure>\n");
    }

    private static void Stats(StringBuilder sb, GlobalStats? stats)
    {
        sb.Append("<h2 id=\"stats\">Band statistics</h2>\n");
        if (stats is null) { sb.Append("<p>Not computed.</p>\n"); return; }
        sb.Append("<p class=\"muted\">Over the kept chips, three dates pooled per band; min/max are the ")
          .Append(FinishingFormat.PyFloat(stats.LowPercentile)).Append(" and ").Append(FinishingFormat.PyFloat(stats.HighPercentile))
          .Append(" percentiles (numpy linear), mean and population std over all values.</p>\n");
        sb.Append("<table>\n<tr><th>band</th><th class=\"n\">pixels</th><th class=\"n\">mean</th><th class=\"n\">std</th>")
          .Append("<th class=\"n\">min</th><th class=\"n\">max</th><th class=\"n\">value min</th><th class=\"n\">value max</th></tr>\n");
        foreach (var b in stats.Bands)
            sb.Append("<tr><td>").Append(E(b.Band)).Append("</td><td class=\"n\">").Append(I(b.Count))
              .Append("</td><td class=\"n\">").Append(FinishingFormat.Fixed(b.Mean, 3))
              .Append("</td><td class=\"n\">").Append(FinishingFormat.Fixed(b.Std, 3))
              .Append("</td><td class=\"n\">").Append(FinishingFormat.PyFloat(b.Min))
              .Append("</td><td class=\"n\">").Append(FinishingFormat.PyFloat(b.Max))
              .Append("</td><td class=\"n\">").Append(I(b.ValueMin))
              .Append("</td><td class=\"n\">").Append(I(b.ValueMax)).Append("</td></tr>\n");
        sb.Append("</table>\n");
    }

    private static void Weights(StringBuilder sb, ClassWeights? weights, IReadOnlyList<ReportSplit> splits)
    {
        sb.Append("<h2 id=\"weights\">Class weights and colours</h2>\n");
        var total = new ClassPixelCounts();
        foreach (var s in splits) total.Merge(s.Counts);
        sb.Append("<table>\n<tr><th>class</th><th>colour</th><th class=\"n\">pixels (all splits)</th><th class=\"n\">weight</th></tr>\n");
        for (int c = 0; c < CropClasses.Count; c++)
            sb.Append("<tr><td>").Append(I(c)).Append(' ').Append(E(CropClasses.NameOf(c))).Append("</td><td>").Append(Swatch(c))
              .Append(CropClasses.All[c].Color).Append("</td><td class=\"n\">").Append(I(total[c]))
              .Append("</td><td class=\"n\">").Append(weights is null ? "—" : FinishingFormat.Fixed(weights[c], 6)).Append("</td></tr>\n");
        sb.Append("</table>\n");
    }

    private static void Rejects(StringBuilder sb, List<ReportChip> chips)
    {
        sb.Append("<h2 id=\"rejects\">QA rejects</h2>\n");
        var rejects = chips.Where(c => c.Status is ChipStatus.Rejected or ChipStatus.Skipped or ChipStatus.Failed).ToList();
        if (rejects.Count == 0) { sb.Append("<p>None.</p>\n"); return; }
        // One bad_pct column per date: the chips' own count, 3 (the published dataset) when no reject was QA-checked.
        int dates = rejects.Max(c => Math.Max(c.BadPct?.Count ?? 0, c.Valid?.Count ?? 0));
        if (dates == 0) dates = 3;
        sb.Append("<table>\n<tr><th>chip</th><th>tile</th><th>status</th><th>reason</th>");
        for (int d = 1; d <= dates; d++) sb.Append(CultureInfo.InvariantCulture, $"<th class=\"n\">bad_pct {d}</th>");
        sb.Append("<th class=\"n\">bad_pct max</th><th class=\"n\">na_count</th>")
          .Append("<th class=\"n\">valid ").Append(string.Join('/', Enumerable.Range(1, dates))).Append("</th></tr>\n");
        foreach (var c in rejects)
        {
            sb.Append("<tr><td>").Append(E(c.ChipId)).Append("</td><td>").Append(E(c.Tile)).Append("</td><td>")
              .Append(OverviewMap.StatusText(c.Status)).Append("</td><td>").Append(E(c.Reason ?? "")).Append("</td>");
            for (int d = 0; d < dates; d++)
                sb.Append("<td class=\"n\">").Append(c.BadPct is { } bp && d < bp.Count ? FinishingFormat.Fixed(bp[d], 2) : "—").Append("</td>");
            sb.Append("<td class=\"n\">").Append(c.BadPct is { Count: > 0 } b ? FinishingFormat.Fixed(b.Max(), 2) : "—").Append("</td>")
              .Append("<td class=\"n\">").Append(c.NaCount is { } na ? I(na) : "—").Append("</td>")
              .Append("<td class=\"n\">").Append(c.Valid is { Count: > 0 } v ? string.Join("/", v.Select(I)) : "—").Append("</td></tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static void QuicklookSection(StringBuilder sb, List<ReportChip> chips, List<ReportTile> tiles)
    {
        sb.Append("<h2 id=\"quicklooks\">Quicklooks</h2>\n");
        var withImage = chips.Where(c => c.QuicklookPng is not null).ToList();
        if (withImage.Count == 0) { sb.Append("<p>None rendered.</p>\n"); return; }
        sb.Append("<p class=\"muted\">Each: true colour (B04/B03/B02, 2–98 % stretch per chip) of the three dates, then the mask.</p>\n");
        sb.Append("<p class=\"legend\">");
        for (int c = 0; c < CropClasses.Count; c++) sb.Append(Swatch(c)).Append(E(CropClasses.NameOf(c))).Append(' ');
        sb.Append("</p>\n");
        foreach (var c in withImage)
        {
            var dates = tiles.FirstOrDefault(t => t.TileId == c.Tile)?.Scenes.OrderBy(s => s.Date).Select(s => D(s.Date)).ToList() ?? [];
            sb.Append("<figure class=\"ql\" id=\"").Append(E(c.ChipId)).Append("\"><img src=\"").Append(Href(c.QuicklookPng!))
              .Append("\" alt=\"quicklook of ").Append(E(c.ChipId)).Append("\" loading=\"lazy\"><figcaption>").Append(E(c.ChipId))
              .Append(" · ").Append(E(c.Tile)).Append(" · ").Append(OverviewMap.StatusText(c.Status));
            if (c.Split is not null) sb.Append(" · ").Append(E(c.Split));
            if (dates.Count > 0) sb.Append(" · ").Append(string.Join(", ", dates)).Append(", mask");
            sb.Append("</figcaption></figure>\n");
        }
    }

    private static void CheckRelative(string link)
    {
        if (link.Length == 0 || link.StartsWith('/') || link.Contains(':') || link.Contains('\\') ||
            link.Split('/').Any(s => s is "" or ".."))
            throw new ArgumentException($"report link '{link}' must be a relative path inside the report folder ('/' separated, no '..', no scheme)");
    }

    private static string Href(string rel) => string.Join("/", rel.Split('/').Select(Uri.EscapeDataString));

    private static string Swatch(int c) => $"<span class=\"sw\" style=\"background:{CropClasses.All[c].Color}\"></span>";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private const string Css =
        "body{font-family:sans-serif;margin:1.5em auto;max-width:1200px;color:#212121;padding:0 1em}\n" +
        "table{border-collapse:collapse;margin:.5em 0 1em}\n" +
        "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n" +
        "th{background:#eceff1}\n" +
        "td.n,th.n{text-align:right}\n" +
        ".small{font-size:85%}\n.muted{color:#757575}\n" +
        ".sw{display:inline-block;width:12px;height:12px;border:1px solid #555;margin:0 4px 0 8px;vertical-align:middle}\n" +
        ".sw.outline{background:none;border:2px solid #607D8B}\n" +
        "figure{display:inline-block;margin:.5em}\nfigure img{image-rendering:pixelated;max-width:100%}\n" +
        "figcaption{font-size:85%;color:#424242}\nsvg.map{border:1px solid #ccc;max-width:100%;height:auto}\n" +
        "nav{margin:1em 0}\n";
}
