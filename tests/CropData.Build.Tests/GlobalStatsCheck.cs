using CropData.Gdal;

namespace CropData.Build.Tests;

/// <summary>global_stats.yaml against a brute-force computation over the kept chips: every band kind pooled over dates.</summary>
internal static class GlobalStatsCheck
{
    public static void AssertMatchesChips(string dataset, int bandKinds)
    {
        var kinds = Enumerable.Range(0, bandKinds).Select(_ => new List<short>()).ToArray();
        foreach (var file in Directory.GetFiles(Path.Combine(dataset, "chips_filtered"), "*_merged.tif").Order())
        {
            using var ds = RasterDataset.Open(file);
            for (int b = 0; b < ds.BandCount; b++) kinds[b % bandKinds].AddRange(ds.ReadBand<short>(b + 1));
        }
        var stats = Values(File.ReadAllText(Path.Combine(dataset, "global_stats.yaml")));
        for (int k = 0; k < bandKinds; k++)
        {
            var sorted = kinds[k].ConvertAll(v => (double)v).ToArray();
            Array.Sort(sorted); // not LINQ's Order(): a comparer-driven sort of millions of values took seconds per dataset
            double mean = sorted.Average();
            double std = Math.Sqrt(sorted.Select(v => (v - mean) * (v - mean)).Sum() / sorted.Length);
            Assert.Equal(mean, stats["mean"][k], 6);
            Assert.Equal(std, stats["std"][k], 6);
            Assert.Equal(Percentile(sorted, 1.5), stats["min"][k], 6);
            Assert.Equal(Percentile(sorted, 98.5), stats["max"][k], 6);
        }
    }

    // numpy's default ("linear") percentile.
    private static double Percentile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q / 100;
        int lo = (int)Math.Floor(h);
        return lo + 1 < sorted.Length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
    }

    private static Dictionary<string, double[]> Values(string yaml)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)stream.Documents[0].RootNode;
        var gs = (YamlDotNet.RepresentationModel.YamlMappingNode)root.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("global_stats")];
        return gs.Children.ToDictionary(
            kv => ((YamlDotNet.RepresentationModel.YamlScalarNode)kv.Key).Value!,
            kv => ((YamlDotNet.RepresentationModel.YamlSequenceNode)kv.Value).Children
                .Select(n => double.Parse(((YamlDotNet.RepresentationModel.YamlScalarNode)n).Value!, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }
}
