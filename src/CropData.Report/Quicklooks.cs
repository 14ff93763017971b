using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;

namespace CropData.Report;

/// <summary>Per-channel linear stretch of a chip's true colour (R = B04, G = B03, B = B02): value → 0 at Low, 255 at High.</summary>
public sealed record RgbStretch(double LowR, double HighR, double LowG, double HighG, double LowB, double HighB);

/// <summary>
/// Quicklook PNGs of a chip: true colour of each date and the mask in the class colours (<see cref="CropClasses"/>).
/// The stretch is computed per chip: for each of R, G, B, the 2nd and 98th numpy-linear percentiles of that band over
/// the chip's dates pooled, so the dates of one chip are directly comparable. Given the chip's Fmask, only clear-sky
/// pixels count (Fmask valid, reflectance above 0): a cloud or snow field then shows white instead of pushing the
/// 98th percentile up and darkening the clear dates. Input is the merged chip as GDAL reads it, band-sequential
/// (dates × 6 bands × width × height, date-major: B02 B03 B04 B8A B11 B12 per date) and the Fmask chip the same way
/// (one band per date).
/// </summary>
public static class Quicklooks
{
    public const double LowPercentile = 2;
    public const double HighPercentile = 98;
    /// <summary>White gap in pixels between the panels of a composite.</summary>
    public const int Gap = 4;
    /// <summary>Below this share of clear pixels (of all dates' pixels) the stretch uses every pixel: too few to trust.</summary>
    public const double MinClearShare = 0.01;
    private const int BandsPerDate = 6;
    private const int Blue = 0, Green = 1, Red = 2;

    /// <summary>
    /// The chip's stretch (see type remarks). Every date present in <paramref name="merged"/> contributes; with
    /// <paramref name="fmask"/> (one byte per pixel and date), only its clear-sky pixels.
    /// </summary>
    public static RgbStretch StretchOf(ReadOnlySpan<short> merged, int width, int height, ReadOnlySpan<byte> fmask = default)
    {
        int dates = Dates(merged, width, height);
        int n = width * height;
        var clear = ClearSky(merged, fmask, dates, n);
        (double, double) Channel(ReadOnlySpan<short> m, int band)
        {
            var h = new BandHistograms(1);
            for (int d = 0; d < dates; d++)
            {
                var values = m.Slice((d * BandsPerDate + band) * n, n);
                if (clear is null) h.AddKind(0, values);
                else h.AddKind(0, Select(values, clear.AsSpan(d * n, n)));
            }
            return (h.Percentile(0, LowPercentile), h.Percentile(0, HighPercentile));
        }
        var (lr, hr) = Channel(merged, Red);
        var (lg, hg) = Channel(merged, Green);
        var (lb, hb) = Channel(merged, Blue);
        return new RgbStretch(lr, hr, lg, hg, lb, hb);
    }

    /// <summary>Clear-sky flags per date and pixel, or null to use every pixel (no Fmask, or too few clear pixels).</summary>
    private static bool[]? ClearSky(ReadOnlySpan<short> merged, ReadOnlySpan<byte> fmask, int dates, int n)
    {
        if (fmask.IsEmpty) return null;
        if (fmask.Length != dates * n)
            throw new ArgumentException($"Fmask of {fmask.Length} values is not {dates} dates × {n} pixels");
        var clear = new bool[dates * n];
        int count = 0;
        for (int d = 0; d < dates; d++)
            for (int i = 0; i < n; i++)
            {
                bool ok = FmaskQa.IsValid(fmask[d * n + i]) && fmask[d * n + i] != FmaskQa.NoData
                          && merged[(d * BandsPerDate + Red) * n + i] > 0 && merged[(d * BandsPerDate + Green) * n + i] > 0
                          && merged[(d * BandsPerDate + Blue) * n + i] > 0;
                clear[d * n + i] = ok;
                if (ok) count++;
            }
        return count >= MinClearShare * dates * n && count > 0 ? clear : null;
    }

    private static short[] Select(ReadOnlySpan<short> values, ReadOnlySpan<bool> keep)
    {
        var kept = new List<short>(values.Length);
        for (int i = 0; i < values.Length; i++) if (keep[i]) kept.Add(values[i]);
        return kept.ToArray();
    }

    /// <summary>True-colour RGB bytes (width × height × 3) of date <paramref name="date"/> (0-based).</summary>
    public static byte[] TrueColour(ReadOnlySpan<short> merged, int width, int height, int date, RgbStretch stretch)
    {
        int dates = Dates(merged, width, height);
        if (date < 0 || date >= dates) throw new ArgumentOutOfRangeException(nameof(date), date, $"the chip has {dates} dates");
        int n = width * height;
        var r = merged.Slice((date * BandsPerDate + Red) * n, n);
        var g = merged.Slice((date * BandsPerDate + Green) * n, n);
        var b = merged.Slice((date * BandsPerDate + Blue) * n, n);
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            rgb[3 * i] = Scale(r[i], stretch.LowR, stretch.HighR);
            rgb[3 * i + 1] = Scale(g[i], stretch.LowG, stretch.HighG);
            rgb[3 * i + 2] = Scale(b[i], stretch.LowB, stretch.HighB);
        }
        return rgb;
    }

    /// <summary>Mask RGB bytes in the class colours; a value outside 0..13 is drawn magenta so it stands out.</summary>
    public static byte[] MaskColours(ReadOnlySpan<byte> mask)
    {
        var lut = Enumerable.Range(0, CropClasses.Count).Select(CropClasses.Rgb).ToArray();
        var rgb = new byte[mask.Length * 3];
        for (int i = 0; i < mask.Length; i++)
        {
            var (r, g, b) = mask[i] < lut.Length ? lut[mask[i]] : ((byte)255, (byte)0, (byte)255);
            rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
        }
        return rgb;
    }

    public static byte[] TrueColourPng(ReadOnlySpan<short> merged, int width, int height, int date) =>
        PngImages.EncodeRgb(TrueColour(merged, width, height, date, StretchOf(merged, width, height)), width, height);

    public static byte[] MaskPng(ReadOnlySpan<byte> mask, int width, int height)
    {
        if (mask.Length != width * height) throw new ArgumentException($"mask of {mask.Length} pixels is not {width}x{height}");
        return PngImages.EncodeRgb(MaskColours(mask), width, height);
    }

    /// <summary>
    /// One PNG per chip: the dates' true colour left to right, then the mask, separated by <see cref="Gap"/> white
    /// pixels; (dates + 1) · width + dates · Gap wide, height high, one image pixel per chip pixel.
    /// </summary>
    public static byte[] CompositePng(ReadOnlySpan<short> merged, ReadOnlySpan<byte> mask, int width, int height, ReadOnlySpan<byte> fmask = default)
    {
        int dates = Dates(merged, width, height);
        if (mask.Length != width * height) throw new ArgumentException($"mask of {mask.Length} pixels is not {width}x{height}");
        var stretch = StretchOf(merged, width, height, fmask);
        int panels = dates + 1;
        int outW = panels * width + (panels - 1) * Gap;
        var canvas = new byte[outW * height * 3];
        Array.Fill(canvas, (byte)255);
        for (int p = 0; p < panels; p++)
        {
            var panel = p < dates ? TrueColour(merged, width, height, p, stretch) : MaskColours(mask);
            int x0 = p * (width + Gap);
            for (int y = 0; y < height; y++)
                Buffer.BlockCopy(panel, y * width * 3, canvas, (y * outW + x0) * 3, width * 3);
        }
        return PngImages.EncodeRgb(canvas, outW, height);
    }

    /// <summary>Writes <see cref="CompositePng"/> to <paramref name="path"/> (folders created, atomic replace).</summary>
    public static void WriteComposite(string path, ReadOnlySpan<short> merged, ReadOnlySpan<byte> mask, int width, int height,
        ReadOnlySpan<byte> fmask = default) =>
        FinishingFormat.WriteBytes(path, CompositePng(merged, mask, width, height, fmask));

    private static byte Scale(short v, double lo, double hi)
    {
        if (!(hi > lo)) return v > lo ? (byte)255 : (byte)0;
        double t = (v - lo) / (hi - lo) * 255.0;
        return t <= 0 ? (byte)0 : t >= 255 ? (byte)255 : (byte)Math.Round(t, MidpointRounding.AwayFromZero);
    }

    private static int Dates(ReadOnlySpan<short> merged, int width, int height)
    {
        int n = width * height;
        if (n <= 0 || merged.Length % (n * BandsPerDate) != 0 || merged.Length == 0)
            throw new ArgumentException($"merged chip of {merged.Length} values is not a whole number of dates × 6 bands × {width}x{height}");
        return merged.Length / (n * BandsPerDate);
    }
}
