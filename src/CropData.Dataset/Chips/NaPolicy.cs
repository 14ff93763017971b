namespace CropData.Dataset.Chips;

/// <summary>
/// Which reflectance values count as NA before negatives are clipped to 0 (spec stage 9). The original counted only
/// -1000; HLS v2.0 fills with -9999, which it silently turned into 0 reflectance, so the band's declared nodata is
/// counted as well unless <see cref="OriginalBehaviour"/> is used.
/// </summary>
public sealed record NaPolicy
{
    /// <summary>Explicit NA values (config <c>chips.na_values</c>).</summary>
    public IReadOnlyList<short> Values { get; init; } = [-1000];

    /// <summary>Also count each band's declared nodata (config <c>chips.count_band_nodata</c>).</summary>
    public bool CountBandNoData { get; init; } = true;

    public static NaPolicy Default { get; } = new();

    /// <summary>Only -1000, as the published pipeline did.</summary>
    public static NaPolicy OriginalBehaviour { get; } = new() { CountBandNoData = false };

    /// <summary>The NA set for a band with declared nodata <paramref name="bandNoData"/>.</summary>
    public IReadOnlySet<short> ValuesFor(double? bandNoData)
    {
        var set = new HashSet<short>(Values);
        if (CountBandNoData && bandNoData is { } nd && nd == Math.Round(nd) && nd >= short.MinValue && nd <= short.MaxValue)
            set.Add((short)nd);
        return set;
    }

    /// <summary>
    /// Counts NA values in <paramref name="pixels"/>, then clips every negative value to 0 in place — the order the
    /// original used, so NA pixels end up as 0 in the written chip and only <c>na_count</c> remembers them.
    /// </summary>
    public long CountAndClip(Span<short> pixels, double? bandNoData)
    {
        var isNa = new bool[65536];
        foreach (var v in ValuesFor(bandNoData)) isNa[(ushort)v] = true;
        long count = 0;
        for (var i = 0; i < pixels.Length; i++)
        {
            var v = pixels[i];
            if (isNa[(ushort)v]) count++;
            if (v < 0) pixels[i] = 0;
        }
        return count;
    }
}
