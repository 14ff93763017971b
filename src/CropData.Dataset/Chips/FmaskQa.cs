namespace CropData.Dataset.Chips;

/// <summary>QA numbers of one date's Fmask chip (spec stage 9).</summary>
/// <param name="Valid">Pixels whose Fmask value is in <see cref="FmaskQa.ValidValues"/>.</param>
/// <param name="BadPct">Share, in percent of all pixels, of the single most frequent invalid value.</param>
/// <param name="MostFrequentInvalid">That value (null when every pixel is valid); ties go to the smaller value.</param>
public readonly record struct FmaskDateQa(int Valid, double BadPct, byte? MostFrequentInvalid, int MostFrequentInvalidCount);

/// <summary>The original's Fmask rule (spec stage 9).</summary>
public static class FmaskQa
{
    /// <summary>Fmask nodata: pixels outside the scene; never valid.</summary>
    public const byte NoData = 255;

    // Bits 0 cirrus, 1 cloud, 3 cloud shadow, 4 snow/ice must be clear; 2 (adjacent), 5 (water), 6-7 (aerosol) are free.
    private const int ForbiddenBits = 0b0001_1011;

    /// <summary>The 16 valid values {0, 4, 32, 36, …, 224, 228}.</summary>
    public static readonly IReadOnlyList<byte> ValidValues =
        Enumerable.Range(0, 256).Where(v => (v & ForbiddenBits) == 0).Select(v => (byte)v).ToArray();

    public static bool IsValid(byte value) => (value & ForbiddenBits) == 0;

    /// <summary>
    /// Counts valid pixels and the share of the most frequent invalid value. The denominator is the window's pixel
    /// count (224 x 224 for a chip), as the original divided by 224*224 — the share of the *single* most frequent
    /// invalid value, not of all invalid pixels: a chip half cloud (2) and half shadow (8) scores 50, not 100.
    /// </summary>
    public static FmaskDateQa Evaluate(ReadOnlySpan<byte> fmask)
    {
        if (fmask.IsEmpty) throw new ArgumentException("an Fmask window has no pixels");
        Span<int> histogram = stackalloc int[256];
        foreach (var v in fmask) histogram[v]++;
        int valid = 0, worstCount = 0, worst = -1;
        for (var v = 0; v < 256; v++)
        {
            if (IsValid((byte)v)) valid += histogram[v];
            else if (histogram[v] > worstCount) { worstCount = histogram[v]; worst = v; }
        }
        return new FmaskDateQa(valid, worstCount * 100.0 / fmask.Length, worst < 0 ? null : (byte)worst, worstCount);
    }
}
