using CropData.Dataset.Finishing;
using ScottPlot;

namespace CropData.Report;

/// <summary>
/// Stage 14: bar chart of a split's pixel frequency per class (percent of the split's mask pixels), one bar per class
/// 0..13 in the class colours, class names on the x axis. Fixed pixel size, so the same counts give the same PNG bytes.
/// </summary>
public static class ClassDistributionChart
{
    public const int DefaultWidth = 1000;
    public const int DefaultHeight = 600;

    public static byte[] RenderPng(string title, ClassPixelCounts counts, int width = DefaultWidth, int height = DefaultHeight)
    {
        var plot = Build(title, counts);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    public static void WritePng(string path, string title, ClassPixelCounts counts, int width = DefaultWidth, int height = DefaultHeight) =>
        FinishingFormat.WriteBytes(path, RenderPng(title, counts, width, height));

    private static Plot Build(string title, ClassPixelCounts counts)
    {
        var plot = new Plot();
        var pct = counts.Percentages;
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int c = 0; c < CropClasses.Count; c++)
        {
            bars.Add(new Bar
            {
                Position = c,
                Value = pct[c],
                FillColor = Color.FromHex(CropClasses.All[c].Color),
                LineColor = Colors.Black,
                LineWidth = 1,
            });
            ticks.Add(new Tick(c, CropClasses.All[c].Name));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("% of pixels");
        plot.HideGrid();
        return plot;
    }
}
