namespace CropData.Sample;

/// <summary>
/// Plausible (not measured) HLS surface reflectance x 10000 for the 13 mask classes on three dates of a
/// Kansas growing season. The sample's reflectance is synthetic because no real HLS band small enough to
/// ship exists; labels (CDL), chips, scene ids and metadata are real. Deterministic: a pure function of
/// (seed, pixel, band, date) through a counter-based hash, never System.Random (its sequence may change).
/// </summary>
public static class SyntheticReflectance
{
    public static readonly string[] Bands = ["B02", "B03", "B04", "B8A", "B11", "B12"];

    private static readonly double[] Soil = [900, 1200, 1500, 2200, 3000, 2500];
    private static readonly double[] Vegetation = [300, 600, 300, 4500, 2000, 1000];
    private static readonly double[] Water = [500, 600, 400, 200, 100, 80];
    private static readonly double[] Built = [1200, 1300, 1400, 2000, 2400, 2200];

    // Greenness (0 = bare soil, 1 = dense canopy) per mask class for mid-March, late June, mid-September and (the
    // sample's fourth scene, used when a chip takes 4 dates) early August.
    private static readonly double[][] Greenness =
    [
        [0.10, 0.10, 0.10, 0.10], // 0 no data
        [0.30, 0.70, 0.50, 0.60], // 1 natural vegetation
        [0.40, 0.90, 0.80, 0.85], // 2 forest
        [0.00, 0.80, 0.40, 0.70], // 3 corn: sown in April, senescing by September
        [0.00, 0.40, 0.70, 0.75], // 4 soybeans: later canopy
        [0.30, 0.70, 0.60, 0.65], // 5 wetlands
        [0.05, 0.10, 0.10, 0.10], // 6 developed / barren
        [0.00, 0.00, 0.00, 0.00], // 7 open water (own spectrum)
        [0.60, 0.20, 0.05, 0.05], // 8 winter wheat: green in spring, harvested in June
        [0.40, 0.80, 0.70, 0.60], // 9 alfalfa
        [0.05, 0.15, 0.15, 0.15], // 10 fallow / idle
        [0.00, 0.30, 0.60, 0.50], // 11 cotton
        [0.00, 0.30, 0.80, 0.60], // 12 sorghum
        [0.20, 0.40, 0.40, 0.40], // 13 other
    ];

    /// <summary>Reflectance of one pixel; (px, py) are the pixel's column/row on the scene grid (a row of one).</summary>
    public static short Value(int maskClass, int band, int date, long px, long py, ulong seed)
    {
        if ((uint)maskClass >= Greenness.Length) maskClass = 13;
        Span<short> one = stackalloc short[1];
        FillRow([(byte)maskClass], band, date, px, py, seed, one);
        return one[0];
    }

    /// <summary>
    /// Reflectance of a run of pixels of one scene row (columns <paramref name="px0"/>.., row <paramref name="py"/>):
    /// per-class base spectrum × field-scale texture (smooth value noise, ~0.5 km) × pixel noise, both multiplicative.
    /// The noise lattice is hashed once per lattice cell, not once per pixel: the same values as each pixel alone.
    /// </summary>
    public static void FillRow(ReadOnlySpan<byte> maskClasses, int band, int date, long px0, long py, ulong seed, Span<short> output)
    {
        ulong noiseSeed = seed ^ (ulong)(band * 31 + date * 7 + 1);
        double y = py / 16.0;
        long y0 = (long)Math.Floor(y);
        double fy = y - y0;
        long cachedX0 = long.MinValue;
        double v00 = 0, v10 = 0, v01 = 0, v11 = 0;
        for (int i = 0; i < output.Length; i++)
        {
            long px = px0 + i;
            int maskClass = maskClasses[i];
            if ((uint)maskClass >= Greenness.Length) maskClass = 13;
            double baseValue = maskClass switch
            {
                7 => Water[band],
                6 => Built[band],
                _ => Mix(Greenness[maskClass][date], band),
            };
            double x = px / 16.0;
            long x0 = (long)Math.Floor(x);
            if (x0 != cachedX0)
            {
                v00 = Unit(Hash(noiseSeed, (ulong)x0, (ulong)y0, 7));
                v10 = Unit(Hash(noiseSeed, (ulong)(x0 + 1), (ulong)y0, 7));
                v01 = Unit(Hash(noiseSeed, (ulong)x0, (ulong)(y0 + 1), 7));
                v11 = Unit(Hash(noiseSeed, (ulong)(x0 + 1), (ulong)(y0 + 1), 7));
                cachedX0 = x0;
            }
            // Smooth noise in [-1, 1]: the hashed lattice, bilinearly interpolated.
            double fx = x - x0;
            double top = v00 + (v10 - v00) * fx, bottom = v01 + (v11 - v01) * fx;
            double texture = 1 + 0.08 * ((top + (bottom - top) * fy) * 2 - 1);
            double noise = 1 + 0.03 * (Unit(Hash(seed, (ulong)px, (ulong)py, (ulong)(band * 3 + date + 101))) * 2 - 1);
            output[i] = (short)Math.Clamp(Math.Round(baseValue * texture * noise), 1, 10000);
        }
    }

    private static double Mix(double g, int band) => Soil[band] * (1 - g) + Vegetation[band] * g;

    /// <summary>SplitMix64-style mixing of a few counters: a stable, platform-independent hash.</summary>
    public static ulong Hash(ulong seed, ulong a, ulong b, ulong c)
    {
        ulong h = seed;
        foreach (var v in (ReadOnlySpan<ulong>)[a, b, c])
        {
            h += 0x9E3779B97F4A7C15UL + v;
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
            h ^= h >> 31;
        }
        return h;
    }

    /// <summary>A hash mapped to [0, 1).</summary>
    public static double Unit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
}
