using CropData.Dataset.Finishing;

namespace CropData.Report.Tests;

public class ChartAndHtmlTests
{
    private static ClassPixelCounts Counts(int seed)
    {
        var c = new ClassPixelCounts();
        for (int i = 0; i < 14; i++) c.Add(i, 1000 + 37 * i * seed + (i == 3 ? 20000 : 0));
        return c;
    }

    [Fact]
    public void Class_distribution_chart_is_a_deterministic_png_of_fixed_size_with_class_coloured_bars()
    {
        var a = ClassDistributionChart.RenderPng("training", Counts(1));
        var b = ClassDistributionChart.RenderPng("training", Counts(1));
        Assert.Equal(a, b);
        Assert.NotEqual(a, ClassDistributionChart.RenderPng("training", Counts(2)));
        using var bmp = Png.Decode(a);
        Assert.Equal((ClassDistributionChart.DefaultWidth, ClassDistributionChart.DefaultHeight), (bmp.Width, bmp.Height));
        // Corn (class 3) is the tallest bar: its fill colour covers many pixels.
        var corn = CropClasses.Rgb(3);
        int cornPixels = 0, soyPixels = 0;
        var soy = CropClasses.Rgb(4);
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
            {
                var p = Png.Rgb(bmp, x, y);
                if (p == corn) cornPixels++;
                if (p == soy) soyPixels++;
            }
        Assert.True(cornPixels > 5 * soyPixels && soyPixels > 50, $"corn {cornPixels} px, soybeans {soyPixels} px");
        using var small = Png.Decode(ClassDistributionChart.RenderPng("v", Counts(1), 640, 400));
        Assert.Equal((640, 400), (small.Width, small.Height));
    }

    private static List<MapPoint> Square(double x, double y, double size) =>
        [new(x, y), new(x + size, y), new(x + size, y - size), new(x, y - size)];

    private static ReportModel Model()
    {
        var scenes = new[]
        {
            new ReportScene("HLS.S30.T14SPJ.2022259T170849.v2.0", new DateOnly(2022, 9, 16), 0, 100),
            new ReportScene("HLS.S30.T14SPJ.2022074T171051.v2.0", new DateOnly(2022, 3, 15), 1, 100),
            new ReportScene("HLS.S30.T14SPJ.2022179T170859.v2.0", new DateOnly(2022, 6, 28), 2, 99),
        };
        var stats = new BandHistograms();
        for (int k = 0; k < 6; k++) stats.AddKind(k, [0, 10, 20]);
        var counts = Counts(1);
        return new ReportModel
        {
            Title = "Kansas sample <test>",
            ToolVersion = "0.1.0",
            Settings = [new("seed", "42"), new("AOI", "data/sample/aoi.geojson")],
            Tiles = [new ReportTile("14SPJ", scenes, [Square(-110000, 1830000, 110000)]),
                     new ReportTile("14SQJ", [], [Square(-10000, 1830000, 110000)])],
            Chips =
            [
                new ReportChip("chip_203_335", "14SPJ", ChipStatus.Kept, Square(-104895, 1808445, 6720), Split: "train", QuicklookPng: "quicklooks/chip_203_335.png"),
                new ReportChip("chip_202_336", "14SPJ", ChipStatus.Rejected, Square(-98175, 1815165, 6720), Reason: "bad_pct_max >= 5",
                    BadPct: [0.5, 7.25, 1.0], NaCount: 0, Valid: [50000, 40000, 50176], QuicklookPng: "quicklooks/chip_202_336.png"),
                new ReportChip("chip_203_337", "14SPJ", ChipStatus.Rejected, Square(-91455, 1808445, 6720), Reason: "na_count > 0", BadPct: [0, 0, 0], NaCount: 12),
                new ReportChip("chip_210_340", "14SQJ", ChipStatus.Skipped, Square(-71295, 1761405, 6720), Reason: "no valid Fmask pixel <date 2>"),
                new ReportChip("chip_211_340", "14SQJ", ChipStatus.Failed, Square(-71295, 1754685, 6720), Reason: "read error"),
            ],
            Splits = [new ReportSplit("train", 1, counts, "class_distribution_train.png"), new ReportSplit("validation", 0, new ClassPixelCounts())],
            Stats = stats.ComputeAll(),
            Weights = ClassWeights.Balanced(counts),
            Notes = ["2 chips were not in the imported split"],
        };
    }

    [Fact]
    public void Html_report_has_every_section_and_only_relative_links()
    {
        var html = HtmlReport.Render(Model());
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Kansas sample &lt;test&gt;</title>", html);
        Assert.Contains("5 chips in the AOI: <b>1 kept</b>, 2 rejected by the filter, 1 skipped, 1 failed.", html);
        // Per tile: the scene dates in order, and the counts.
        Assert.Contains("<td>14SPJ</td><td>2022-03-15<br>2022-06-28<br>2022-09-16</td>", html);
        Assert.Contains("<td class=\"n\">3</td><td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">0</td><td class=\"n\">0</td><td class=\"small\">bad_pct_max &gt;= 5: 1<br>na_count &gt; 0: 1</td>", html);
        Assert.Contains("<td>rejected</td><td>bad_pct_max &gt;= 5</td><td class=\"n\">1</td>", html);
        Assert.Contains("no valid Fmask pixel &lt;date 2&gt;", html);
        // QA rejects with bad_pct per date, max and na_count.
        Assert.Contains("<td>chip_202_336</td><td>14SPJ</td><td>rejected</td><td>bad_pct_max &gt;= 5</td><td class=\"n\">0.50</td><td class=\"n\">7.25</td><td class=\"n\">1.00</td><td class=\"n\">7.25</td><td class=\"n\">0</td><td class=\"n\">50000/40000/50176</td>", html);
        Assert.Contains("<td class=\"n\">12</td>", html);
        // Stats and weights tables.
        Assert.Contains("<td>B02</td><td class=\"n\">3</td><td class=\"n\">10.000</td>", html);
        Assert.Contains("#FFD300", html);
        Assert.Contains("<h2 id=\"weights\">", html);
        // Map: both tile outlines and one polygon per chip, coloured by status.
        Assert.Equal(5, CountOf(html, "<polygon "));
        Assert.Equal(2, CountOf(html, "<path fill=\"none\""));
        Assert.Contains("fill=\"#EF6C00\"", html);
        Assert.Contains("<title>chip_211_340 (14SQJ): failed – read error; centre ", html);
        Assert.Contains("km, EPSG:5070 (CONUS Albers)", html);
        // Images: relative links only, nothing fetched from the network, no script.
        Assert.Contains("<img src=\"quicklooks/chip_203_335.png\"", html);
        Assert.Contains("<img src=\"class_distribution_train.png\"", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.Contains("2 chips were not in the imported split", html);
    }

    private static int CountOf(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }

    [Fact]
    public void Html_does_not_depend_on_input_order()
    {
        var m = Model();
        var shuffled = m with { Chips = m.Chips.Reverse().ToList(), Tiles = m.Tiles.Reverse().ToList() };
        Assert.Equal(HtmlReport.Render(m), HtmlReport.Render(shuffled));
    }

    [Theory]
    [InlineData("/abs/x.png")]
    [InlineData("https://example.org/x.png")]
    [InlineData("../x.png")]
    [InlineData("a\\b.png")]
    public void Non_relative_links_are_refused(string link)
    {
        var m = Model();
        var bad = m with { Chips = [m.Chips[0] with { QuicklookPng = link }] };
        Assert.Contains(link, Assert.Throws<ArgumentException>(() => HtmlReport.Render(bad)).Message);
    }

    [Fact]
    public void Writes_a_report_folder_whose_links_all_resolve()
    {
        using var tmp = new TempFolder();
        var m = Model();
        const int S = 16;
        var merged = new short[18 * S * S];
        for (int i = 0; i < merged.Length; i++) merged[i] = (short)(i % 3000);
        var mask = new byte[S * S];
        foreach (var c in m.Chips.Where(c => c.QuicklookPng is not null))
            Quicklooks.WriteComposite(Path.Combine(tmp.Path, c.QuicklookPng!), merged, mask, S, S);
        foreach (var s in m.Splits.Where(s => s.ChartPng is not null))
            ClassDistributionChart.WritePng(Path.Combine(tmp.Path, s.ChartPng!), s.Name, s.Counts);
        var index = HtmlReport.Write(m, tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, "index.html"), index);
        var html = File.ReadAllText(index);
        var srcs = System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(x => x.Groups[1].Value).ToList();
        Assert.Equal(3, srcs.Count);
        Assert.All(srcs, s => Assert.True(File.Exists(Path.Combine(tmp.Path, s)), s));
        Assert.Equal(File.ReadAllBytes(index), System.Text.Encoding.UTF8.GetBytes(HtmlReport.Render(m)));
    }
}
