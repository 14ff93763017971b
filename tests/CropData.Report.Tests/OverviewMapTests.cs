using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CropData.Report.Tests;

/// <summary>The overview map names what it shows: chip ids on the chips and on hover, EPSG:5070 coordinates on the edges.</summary>
public class OverviewMapTests
{
    /// <summary>The EPSG:5070 square of chip_RRR_CCC (the CDL chip grid: origin -2356095 / 3172605, 224 × 30 m).</summary>
    private static ReportChip Chip(int row, int col, ChipStatus status = ChipStatus.Kept)
    {
        double left = -2356095 + col * 6720.0, top = 3172605 - row * 6720.0;
        return new ReportChip($"chip_{row}_{col}", "14SPJ", status,
            [new(left, top), new(left + 6720, top), new(left + 6720, top - 6720), new(left, top - 6720), new(left, top)]);
    }

    private static XDocument Parse(string svg) => XDocument.Parse(svg);

    [Fact]
    public void A_small_aoi_shows_each_chip_id_on_its_chip_and_its_centre_on_hover()
    {
        var chips = (from r in Enumerable.Range(201, 4) from c in Enumerable.Range(335, 4) select Chip(r, c)).ToList();
        var svg = Parse(OverviewMap.Svg([], chips));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var labels = svg.Descendants(ns + "text").Select(t => t.Value).ToHashSet();
        foreach (var c in chips) Assert.Contains(c.ChipId[5..], labels);
        var titles = svg.Descendants(ns + "polygon").Select(p => p.Element(ns + "title")!.Value).ToList();
        Assert.Equal(16, titles.Count);
        // chip_202_336: centre (-2356095 + 336.5 · 6720, 3172605 - 202.5 · 6720) m.
        Assert.Contains("chip_202_336 (14SPJ): kept; centre -94.8, 1811.8 km (EPSG:5070)", titles);
    }

    [Fact]
    public void Coordinate_labels_increase_in_even_steps_along_both_edges()
    {
        var chips = (from r in Enumerable.Range(201, 4) from c in Enumerable.Range(335, 4) select Chip(r, c)).ToList();
        var svg = Parse(OverviewMap.Svg([], chips));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var axis = svg.Descendants(ns + "g").Single().Elements(ns + "text").ToList();
        List<double> Values(string anchor) => axis.Where(t => (string?)t.Attribute("text-anchor") == anchor && Regex.IsMatch(t.Value, @"^-?\d"))
            .Select(t => double.Parse(t.Value, CultureInfo.InvariantCulture)).ToList();
        var xs = Values("middle");
        var ys = Values("end");
        Assert.InRange(xs.Count, 3, 12);
        Assert.InRange(ys.Count, 3, 12);
        var steps = xs.Zip(xs.Skip(1), (a, b) => Math.Round(b - a, 6)).Distinct().ToList();
        Assert.Single(steps);
        Assert.Contains(steps[0], new[] { 1.0, 2.0, 5.0, 10.0, 20.0 });
        Assert.All(ys.Zip(ys.Skip(1)), p => Assert.True(p.Second > p.First));
        // The labels span the chips: x from -105.9 to -78.0 km, y from 1795.0 to 1821.9 km.
        Assert.True(xs.Min() <= -100 && xs.Max() >= -85, string.Join(", ", xs));
        Assert.True(ys.Min() <= 1800 && ys.Max() >= 1815, string.Join(", ", ys));
    }

    [Fact]
    public void Chips_too_small_on_screen_are_not_labelled_but_still_named_on_hover()
    {
        // Two chips 1,000 km apart: each is a few screen pixels wide.
        var chips = new[] { Chip(100, 100), Chip(250, 250, ChipStatus.Rejected) };
        var svg = Parse(OverviewMap.Svg([], chips));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.DoesNotContain(svg.Descendants(ns + "text"), t => t.Value is "100_100" or "250_250");
        Assert.Equal(2, svg.Descendants(ns + "title").Count(t => t.Value.StartsWith("chip_", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(1, 1)]
    [InlineData(1.2, 2)]
    [InlineData(3300, 5000)]
    [InlineData(4999, 5000)]
    [InlineData(5001, 10000)]
    public void Tick_steps_are_1_2_or_5_times_a_power_of_ten(double rough, double step) =>
        Assert.Equal(step, OverviewMap.NiceStep(rough));
}
