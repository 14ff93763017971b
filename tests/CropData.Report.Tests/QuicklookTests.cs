using CropData.Dataset.Finishing;

namespace CropData.Report.Tests;

public class QuicklookTests
{
    private const int W = 8, H = 6, N = W * H;

    /// <summary>18 bands × 8×6: band b of date d holds 100·b + 1000·d + 7·i at pixel i (B04 = band 2 of a date).</summary>
    private static short[] Merged(int dates = 3)
    {
        var m = new short[dates * 6 * N];
        for (int d = 0; d < dates; d++)
            for (int b = 0; b < 6; b++)
                for (int i = 0; i < N; i++)
                    m[(d * 6 + b) * N + i] = (short)(100 * b + 1000 * d + 7 * i);
        return m;
    }

    private static byte[] Mask()
    {
        var mask = new byte[N];
        for (int i = 0; i < N; i++) mask[i] = (byte)(i % 14);
        return mask;
    }

    private static (double Lo, double Hi) Expected(short[] merged, int band)
    {
        var vals = Enumerable.Range(0, 3).SelectMany(d => merged.Skip((d * 6 + band) * N).Take(N)).Select(v => (double)v).Order().ToArray();
        return (NumpyPercentile.OfSorted(vals, 2), NumpyPercentile.OfSorted(vals, 98));
    }

    [Fact]
    public void Stretch_is_the_2_98_percentile_per_channel_over_the_chips_dates()
    {
        var m = Merged();
        var s = Quicklooks.StretchOf(m, W, H);
        Assert.Equal(Expected(m, 2), (s.LowR, s.HighR));
        Assert.Equal(Expected(m, 1), (s.LowG, s.HighG));
        Assert.Equal(Expected(m, 0), (s.LowB, s.HighB));
    }

    [Fact]
    public void With_the_fmask_the_stretch_counts_clear_sky_pixels_only_so_a_cloud_does_not_darken_the_clear_dates()
    {
        // Date 2 is two-thirds bright cloud (flagged 66 = cloud bit in the Fmask), dates 1 and 3 are clear.
        var m = Merged().Select(v => (short)(v + 1)).ToArray(); // every reflectance above 0, so only the Fmask decides
        var fmask = new byte[3 * N];
        Array.Fill(fmask, (byte)64);
        for (int i = 0; i < 2 * N / 3; i++)
        {
            for (int b = 0; b < 6; b++) m[(1 * 6 + b) * N + i] = 5200;
            fmask[1 * N + i] = 66;
        }
        var all = Quicklooks.StretchOf(m, W, H);
        var clear = Quicklooks.StretchOf(m, W, H, fmask);
        Assert.Equal(5200, all.HighR); // the cloud sets the top of the stretch ...
        var clearRed = Enumerable.Range(0, 3).SelectMany(d => Enumerable.Range(0, N).Where(i => fmask[d * N + i] == 64)
            .Select(i => (double)m[(d * 6 + 2) * N + i])).Order().ToArray();
        Assert.Equal((NumpyPercentile.OfSorted(clearRed, 2), NumpyPercentile.OfSorted(clearRed, 98)), (clear.LowR, clear.HighR)); // ... not with the Fmask
        Assert.True(clear.HighR < 3000);
        // The clear third date is brighter on average with the clear-sky stretch than with the cloud-driven one.
        double Mean(RgbStretch s) => Quicklooks.TrueColour(m, W, H, 2, s).Select(v => (double)v).Average();
        Assert.True(Mean(clear) > Mean(all) + 40, $"clear-sky stretch {Mean(clear):0} vs all pixels {Mean(all):0}");

        // Too few clear pixels to trust: every pixel counts, as without an Fmask.
        Array.Fill(fmask, (byte)66);
        Assert.Equal(all, Quicklooks.StretchOf(m, W, H, fmask));
        Assert.Throws<ArgumentException>(() => Quicklooks.StretchOf(m, W, H, new byte[N]));
    }

    [Fact]
    public void Composite_png_decodes_to_dates_then_mask_with_the_right_colours()
    {
        var m = Merged();
        var mask = Mask();
        var png = Quicklooks.CompositePng(m, mask, W, H);
        using var bmp = Png.Decode(png);
        Assert.Equal(4 * W + 3 * Quicklooks.Gap, bmp.Width);
        Assert.Equal(H, bmp.Height);

        var s = Quicklooks.StretchOf(m, W, H);
        byte Scale(double v, double lo, double hi) => (byte)Math.Clamp(Math.Round((v - lo) / (hi - lo) * 255, MidpointRounding.AwayFromZero), 0, 255);
        for (int d = 0; d < 3; d++)
            foreach (var (x, y) in new[] { (0, 0), (3, 2), (W - 1, H - 1), (5, 4) })
            {
                int i = y * W + x;
                double r = m[(d * 6 + 2) * N + i], g = m[(d * 6 + 1) * N + i], b = m[(d * 6 + 0) * N + i];
                Assert.Equal((Scale(r, s.LowR, s.HighR), Scale(g, s.LowG, s.HighG), Scale(b, s.LowB, s.HighB)),
                    Png.Rgb(bmp, d * (W + Quicklooks.Gap) + x, y));
            }
        // Date 1's first pixel is the darkest of the chip, date 3's last the brightest: clipped to 0 and 255.
        Assert.Equal(((byte)0, (byte)0, (byte)0), Png.Rgb(bmp, 0, 0));
        Assert.Equal(((byte)255, (byte)255, (byte)255), Png.Rgb(bmp, 2 * (W + Quicklooks.Gap) + W - 1, H - 1));
        // Gap is white; mask panel in class colours.
        Assert.Equal(((byte)255, (byte)255, (byte)255), Png.Rgb(bmp, W, 0));
        int mx = 3 * (W + Quicklooks.Gap);
        for (int i = 0; i < N; i += 5)
            Assert.Equal(CropClasses.Rgb(mask[i]), Png.Rgb(bmp, mx + i % W, i / W));
    }

    [Fact]
    public void Same_input_gives_the_same_bytes_and_other_input_other_bytes()
    {
        var a = Quicklooks.CompositePng(Merged(), Mask(), W, H);
        var b = Quicklooks.CompositePng(Merged(), Mask(), W, H);
        Assert.Equal(a, b);
        var otherMask = Mask();
        otherMask[0] = 3;
        Assert.NotEqual(a, Quicklooks.CompositePng(Merged(), otherMask, W, H));
    }

    [Fact]
    public void Full_size_chip_renders_224_pixel_panels()
    {
        const int S = 224;
        var rng = new Random(5);
        var m = new short[18 * S * S];
        for (int i = 0; i < m.Length; i++) m[i] = (short)rng.Next(0, 4000);
        var mask = new byte[S * S];
        for (int i = 0; i < mask.Length; i++) mask[i] = (byte)rng.Next(0, 14);
        using var tmp = new TempFolder();
        var path = tmp.File("ql/chip_203_335.png");
        Quicklooks.WriteComposite(path, m, mask, S, S);
        using var bmp = Png.Decode(File.ReadAllBytes(path));
        Assert.Equal(4 * S + 3 * Quicklooks.Gap, bmp.Width);
        Assert.Equal(S, bmp.Height);
        Assert.Equal(CropClasses.Rgb(mask[S * 100 + 17]), Png.Rgb(bmp, 3 * (S + Quicklooks.Gap) + 17, 100));
        using var single = Png.Decode(Quicklooks.TrueColourPng(m, S, S, 1));
        Assert.Equal((S, S), (single.Width, single.Height));
        using var maskOnly = Png.Decode(Quicklooks.MaskPng(mask, S, S));
        Assert.Equal(CropClasses.Rgb(mask[5]), Png.Rgb(maskOnly, 5, 0));
    }

    [Fact]
    public void Flat_band_and_bad_shapes()
    {
        var flat = new short[18 * N];
        using var bmp = Png.Decode(Quicklooks.TrueColourPng(flat, W, H, 0));
        Assert.Equal(((byte)0, (byte)0, (byte)0), Png.Rgb(bmp, 1, 1));
        Assert.Throws<ArgumentException>(() => Quicklooks.CompositePng(new short[17 * N], Mask(), W, H));
        Assert.Throws<ArgumentException>(() => Quicklooks.CompositePng(Merged(), new byte[N - 1], W, H));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quicklooks.TrueColourPng(Merged(), W, H, 3));
        var bad = Mask();
        bad[0] = 200;
        using var magenta = Png.Decode(Quicklooks.MaskPng(bad, W, H));
        Assert.Equal(((byte)255, (byte)0, (byte)255), Png.Rgb(magenta, 0, 0));
    }
}
