using System.Text;

namespace CropData.Dataset.Finishing;

/// <summary>One band kind's statistics (all dates pooled). <see cref="Min"/>/<see cref="Max"/> are what the baseline
/// config's <c>global_stats</c> calls min/max (the clipped extremes); <see cref="ValueMin"/>/<see cref="ValueMax"/>
/// are the raw extremes, reported for QA only.</summary>
public sealed record BandKindStats(
    string Band, int Kind, long Count, double Mean, double Std,
    double Min, double Max, double PercentileLow, double PercentileHigh, short ValueMin, short ValueMax);

/// <summary>
/// The <c>global_stats</c> block of the baseline config (stage 12): min, max, mean, std lists of the 6 band kinds.
/// <para>
/// Reading of the spec, checked against the original (ClarkCGA calc_mean_sd.ipynb and easierdata
/// scripts/calc_band_mean_sd.py): the values are those of <c>chips_filtered/*merged.tif</c>, i.e. after stage 9 clipped
/// negatives to 0 (so all values are ≥ 0, and only chips with na_count == 0 are there); mean and std
/// (<c>vals_all.mean()</c>, <c>vals_all.std()</c>, population, ddof = 0) are over the unclipped values; then
/// <c>np.clip(vals_all, nanpercentile(1.5), nanpercentile(98.5))</c> and min/max of that. Because a linear-interpolated
/// percentile always lies between the smallest and largest value, min = p1.5 and max = p98.5 exactly — "min/max after
/// clipping" are the percentile values themselves (fractional when the percentile interpolates). This class computes
/// them literally (clip of the raw extremes), which gives those same numbers.
/// </para>
/// </summary>
public sealed record GlobalStats(IReadOnlyList<BandKindStats> Bands, double LowPercentile, double HighPercentile)
{
    public const double DefaultLowPercentile = 1.5;
    public const double DefaultHighPercentile = 98.5;
    public const string YamlFile = "global_stats.yaml";
    public const string CsvFile = "band_stats.csv";

    public IReadOnlyList<double> Min => Bands.Select(b => b.Min).ToList();
    public IReadOnlyList<double> Max => Bands.Select(b => b.Max).ToList();
    public IReadOnlyList<double> Mean => Bands.Select(b => b.Mean).ToList();
    public IReadOnlyList<double> Std => Bands.Select(b => b.Std).ToList();

    /// <summary>The block in the baseline config's form, indented by <paramref name="indent"/> spaces (flow lists,
    /// Python-style floats so PyYAML loads floats).</summary>
    public string ToYaml(int indent = 0)
    {
        var pad = new string(' ', indent);
        static string List(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(FinishingFormat.PyFloat)) + "]";
        var sb = new StringBuilder();
        sb.Append(pad).Append("global_stats:\n");
        sb.Append(pad).Append("  min: ").Append(List(Min)).Append('\n');
        sb.Append(pad).Append("  max: ").Append(List(Max)).Append('\n');
        sb.Append(pad).Append("  mean: ").Append(List(Mean)).Append('\n');
        sb.Append(pad).Append("  std: ").Append(List(Std)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Per-band CSV: band, the 1-based merged-chip bands pooled, pixel count, mean, std, min, max (clipped,
    /// = the percentiles), raw value_min/value_max, and which percentiles were used.</summary>
    public string ToCsv()
    {
        int kinds = Bands.Count;
        var rows = new List<string> { "band,source_bands,pixel_count,mean,std,min,max,value_min,value_max,low_percentile,high_percentile" };
        foreach (var b in Bands)
        {
            var sources = string.Join(" ", Enumerable.Range(0, 3).Select(d => FinishingFormat.Int(b.Kind + 1 + d * kinds)));
            rows.Add(string.Join(",",
                b.Band, sources, FinishingFormat.Int(b.Count),
                FinishingFormat.PyFloat(b.Mean), FinishingFormat.PyFloat(b.Std),
                FinishingFormat.PyFloat(b.Min), FinishingFormat.PyFloat(b.Max),
                FinishingFormat.Int(b.ValueMin), FinishingFormat.Int(b.ValueMax),
                FinishingFormat.PyFloat(LowPercentile), FinishingFormat.PyFloat(HighPercentile)));
        }
        return FinishingFormat.Lines(rows);
    }

    /// <summary>Writes <c>global_stats.yaml</c> and <c>band_stats.csv</c> into <paramref name="folder"/>; returns both paths.</summary>
    public IReadOnlyList<string> Write(string folder)
    {
        var yaml = Path.Combine(folder, YamlFile);
        var csv = Path.Combine(folder, CsvFile);
        FinishingFormat.WriteText(yaml, ToYaml());
        FinishingFormat.WriteText(csv, ToCsv());
        return [yaml, csv];
    }
}
