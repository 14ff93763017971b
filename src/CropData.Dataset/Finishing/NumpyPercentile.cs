namespace CropData.Dataset.Finishing;

/// <summary>
/// numpy's default ('linear') percentile, as <c>np.nanpercentile</c> computes it (numpy ≥ 1.22, <c>_quantile</c> and
/// <c>_lerp</c>): q' = q / 100, virtual index h = (n - 1) · q', below = ⌊h⌋, above = below + 1 (both clamped to the
/// last element when h ≥ n - 1), t = h - below, value = a + (b - a)·t — except that for t ≥ 0.5 numpy evaluates the
/// same line from the upper end, b - (b - a)·(1 - t), to keep the result monotone; we do the same so the doubles match
/// numpy's bit for bit (the two forms differ by at most one ulp).
/// </summary>
public static class NumpyPercentile
{
    /// <summary>The percentile <paramref name="q"/> (0..100) of <paramref name="n"/> sorted values, where
    /// <paramref name="kth"/>(k) returns the k-th smallest (0-based).</summary>
    public static double Linear(long n, double q, Func<long, double> kth)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "percentile of an empty set");
        if (!(q >= 0 && q <= 100)) throw new ArgumentOutOfRangeException(nameof(q), q, "percentile must be within 0..100");
        double quantile = q / 100.0;
        double h = (n - 1) * quantile;
        long below, above;
        if (h >= n - 1) { below = above = n - 1; }
        else
        {
            below = (long)Math.Floor(h);
            above = below + 1;
        }
        // numpy takes gamma against the index it uses; when clamped to the last element a == b and gamma is irrelevant.
        double t = h - below;
        double a = kth(below), b = kth(above);
        return Lerp(a, b, t);
    }

    /// <summary>The percentile of an already sorted array (the brute-force reference the tests use).</summary>
    public static double OfSorted(ReadOnlySpan<double> sorted, double q)
    {
        var copy = sorted.ToArray();
        return Linear(copy.Length, q, k => copy[k]);
    }

    /// <summary>numpy's <c>_lerp</c>.</summary>
    public static double Lerp(double a, double b, double t)
    {
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
}
