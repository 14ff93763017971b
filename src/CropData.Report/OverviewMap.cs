using System.Globalization;
using System.Net;
using System.Text;

namespace CropData.Report;

/// <summary>
/// The report's overview map as inline SVG: tile outlines (grey lines, labelled) under chip footprints filled by
/// status, each chip labelled with its id where it is large enough on screen and naming its id, status and centre on
/// hover, and EPSG:5070 coordinates (km) ticked along the left and bottom edges. SVG user units are EPSG:5070 metres
/// (1 unit = 1 m) shifted to the padded bounding box, with y written as maxY − y because SVG's y axis points down; no
/// projection code is needed here.
/// </summary>
public static class OverviewMap
{
    public const int DefaultWidthPx = 860;

    /// <summary>A chip is labelled on the map when it is at least this wide on screen (smaller labels are unreadable).</summary>
    public const double MinLabelledChipPx = 36;

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
        // Room on the left and at the bottom for the coordinate labels (about 56 and 22 screen pixels).
        double span = Math.Max(maxX - minX, maxY - minY) + 2 * pad;
        double left = span * 56 / widthPx, bottom = span * 22 / widthPx;
        minX -= pad + left; maxX += pad; minY -= pad + bottom; maxY += pad;
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
            double cx = (c.Footprint.Min(p => p.X) + c.Footprint.Max(p => p.X)) / 2, cy = (c.Footprint.Min(p => p.Y) + c.Footprint.Max(p => p.Y)) / 2;
            sb.Append("<polygon fill=\"").Append(ColourOf(c.Status)).Append("\" fill-opacity=\"0.85\" stroke=\"#212121\" stroke-width=\"")
              .Append(F(stroke * 0.5)).Append("\" points=\"").Append(string.Join(" ", c.Footprint.Select(P))).Append("\"><title>")
              .Append(WebUtility.HtmlEncode($"{c.ChipId} ({c.Tile}): {StatusText(c.Status)}{(c.Reason is null ? "" : " – " + c.Reason)}; " +
                                            $"centre {Km(cx)}, {Km(cy)} km (EPSG:5070)"))
              .Append("</title></polygon>\n");
            double chipPx = (c.Footprint.Max(p => p.X) - c.Footprint.Min(p => p.X)) / stroke;
            if (chipPx < MinLabelledChipPx) continue;
            // The id without its "chip_" prefix, sized to the chip; hover still works through the polygon beneath.
            string label = c.ChipId.StartsWith("chip_", StringComparison.Ordinal) ? c.ChipId[5..] : c.ChipId;
            double size = Math.Min(chipPx / (label.Length * 0.8), 13) * stroke;
            sb.Append("<text x=\"").Append(F(cx - minX)).Append("\" y=\"").Append(F(maxY - cy + size * 0.35))
              .Append("\" font-size=\"").Append(F(size)).Append("\" text-anchor=\"middle\" fill=\"#FFFFFF\" font-family=\"sans-serif\" pointer-events=\"none\">")
              .Append(WebUtility.HtmlEncode(label)).Append("</text>\n");
        }
        AppendAxes(sb, minX, maxX, minY, maxY, left, bottom, stroke);
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

    /// <summary>Ticks and EPSG:5070 km labels along the left and bottom edges, every 1, 2 or 5 × 10^k km (4–8 per axis).</summary>
    private static void AppendAxes(StringBuilder sb, double minX, double maxX, double minY, double maxY, double left, double bottom, double stroke)
    {
        double step = NiceStep(Math.Max(maxX - minX - left, maxY - minY - bottom) / 6);
        double font = stroke * 10, tick = stroke * 5;
        string axis = F(stroke);
        sb.Append("<g fill=\"#616161\" stroke=\"none\" font-size=\"").Append(F(font)).Append("\" font-family=\"sans-serif\">\n");
        for (double x = Math.Ceiling((minX + left) / step) * step; x <= maxX; x += step)
        {
            double sx = x - minX, sy = maxY - minY - bottom;
            sb.Append("<line x1=\"").Append(F(sx)).Append("\" y1=\"").Append(F(sy)).Append("\" x2=\"").Append(F(sx)).Append("\" y2=\"").Append(F(sy + tick))
              .Append("\" stroke=\"#616161\" stroke-width=\"").Append(axis).Append("\"/>");
            sb.Append("<text x=\"").Append(F(sx)).Append("\" y=\"").Append(F(sy + tick + font)).Append("\" text-anchor=\"middle\">").Append(Km(x)).Append("</text>\n");
        }
        for (double y = Math.Ceiling((minY + bottom) / step) * step; y <= maxY; y += step)
        {
            double sx = left, sy = maxY - y;
            sb.Append("<line x1=\"").Append(F(sx - tick)).Append("\" y1=\"").Append(F(sy)).Append("\" x2=\"").Append(F(sx)).Append("\" y2=\"").Append(F(sy))
              .Append("\" stroke=\"#616161\" stroke-width=\"").Append(axis).Append("\"/>");
            sb.Append("<text x=\"").Append(F(sx - tick * 1.4)).Append("\" y=\"").Append(F(sy + font * 0.35)).Append("\" text-anchor=\"end\">").Append(Km(y)).Append("</text>\n");
        }
        sb.Append("<text x=\"").Append(F(maxX - minX - stroke * 4)).Append("\" y=\"").Append(F(font * 1.3))
          .Append("\" text-anchor=\"end\">km, EPSG:5070 (CONUS Albers)</text>\n</g>\n");
    }

    /// <summary>The smallest 1, 2 or 5 × 10^k metres at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(rough, 1))));
        foreach (var m in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (m * magnitude >= rough) return m * magnitude;
        return 10 * magnitude;
    }

    private static string Km(double metres) => (metres / 1000).ToString("0.#", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
}
