using System.Globalization;
using System.Net;
using System.Text;

namespace CropData.Report;

/// <summary>
/// The report's overview map as inline SVG: tile outlines (grey lines, labelled) under chip footprints filled by
/// status. SVG user units are EPSG:5070 metres (1 unit = 1 m) shifted to the padded bounding box, with y written as
/// maxY − y because SVG's y axis points down; no projection code is needed here.
/// </summary>
public static class OverviewMap
{
    public const int DefaultWidthPx = 860;

    /// <summary>Fill colour per status, in legend order.</summary>
    public static readonly IReadOnlyList<(ChipStatus Status, string Colour)> StatusColours =
    [
        (ChipStatus.Kept, "#2E7D32"),
        (ChipStatus.Rejected, "#EF6C00"),
        (ChipStatus.Skipped, "#9E9E9E"),
        (ChipStatus.Failed, "#C62828"),
    ];

    public static string ColourOf(ChipStatus s) => StatusColours.First(x => x.Status == s).Colour;

    public static string Svg(IReadOnlyList<ReportTile> tiles, IReadOnlyList<ReportChip> chips, int widthPx = DefaultWidthPx)
    {
        var all = tiles.SelectMany(t => t.Outline.SelectMany(r => r)).Concat(chips.SelectMany(c => c.Footprint)).ToList();
        if (all.Count == 0) return "<p>No footprints to map.</p>\n";
        double minX = all.Min(p => p.X), maxX = all.Max(p => p.X), minY = all.Min(p => p.Y), maxY = all.Max(p => p.Y);
        double pad = Math.Max(Math.Max(maxX - minX, maxY - minY) * 0.02, 1000);
        minX -= pad; maxX += pad; minY -= pad; maxY += pad;
        double w = maxX - minX, h = maxY - minY;
        int heightPx = Math.Max(1, (int)Math.Round(widthPx * h / w));
        double stroke = w / widthPx; // one screen pixel in metres

        string P(MapPoint p) => F(p.X - minX) + "," + F(maxY - p.Y);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"{widthPx}\" height=\"{heightPx}\" viewBox=\"0 0 {F(w)} {F(h)}\">\n");
        sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(F(w)).Append("\" height=\"").Append(F(h)).Append("\" fill=\"#FAFAFA\"/>\n");
        foreach (var t in tiles.OrderBy(t => t.TileId, StringComparer.Ordinal))
        {
            if (t.Outline.Count == 0) continue;
            sb.Append("<path fill=\"none\" stroke=\"#607D8B\" stroke-width=\"").Append(F(stroke * 1.5)).Append("\" d=\"");
            foreach (var ring in t.Outline.Where(r => r.Count > 1))
                sb.Append('M').Append(string.Join(" L", ring.Select(P))).Append(" Z ");
            sb.Append("\"><title>").Append(WebUtility.HtmlEncode(t.TileId)).Append("</title></path>\n");
            var pts = t.Outline.SelectMany(r => r).ToList();
            var top = new MapPoint(pts.Min(p => p.X), pts.Max(p => p.Y));
            sb.Append("<text x=\"").Append(F(top.X - minX + stroke * 6)).Append("\" y=\"").Append(F(maxY - top.Y + stroke * 16))
              .Append("\" font-size=\"").Append(F(stroke * 13)).Append("\" fill=\"#455A64\" font-family=\"sans-serif\">")
              .Append(WebUtility.HtmlEncode(t.TileId)).Append("</text>\n");
        }
        foreach (var c in chips.OrderBy(c => c.ChipId, StringComparer.Ordinal))
        {
            if (c.Footprint.Count < 3) continue;
            sb.Append("<polygon fill=\"").Append(ColourOf(c.Status)).Append("\" fill-opacity=\"0.85\" stroke=\"#212121\" stroke-width=\"")
              .Append(F(stroke * 0.5)).Append("\" points=\"").Append(string.Join(" ", c.Footprint.Select(P))).Append("\"><title>")
              .Append(WebUtility.HtmlEncode($"{c.ChipId} ({c.Tile}): {StatusText(c.Status)}{(c.Reason is null ? "" : " – " + c.Reason)}"))
              .Append("</title></polygon>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    public static string StatusText(ChipStatus s) => s switch
    {
        ChipStatus.Kept => "kept",
        ChipStatus.Rejected => "rejected",
        ChipStatus.Skipped => "skipped",
        ChipStatus.Failed => "failed",
        _ => s.ToString(),
    };

    private static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
}
