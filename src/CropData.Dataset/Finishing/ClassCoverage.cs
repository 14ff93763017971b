namespace CropData.Dataset.Finishing;

/// <summary>
/// Stage 14's class check: classes 1-13 present in the kept chips with fewer pixels than a minimum. Their class weight
/// (stage 13) is computed from a handful of pixels, so the report and the build name them. Absent classes are named
/// too: their weight is the formula's fallback, not a measurement.
/// </summary>
public static class ClassCoverage
{
    public static IReadOnlyList<string> Warnings(IReadOnlyList<long> pixels, long minimum)
    {
        if (minimum <= 0) return [];
        var warnings = new List<string>();
        for (int c = 1; c < CropClasses.Count; c++)
        {
            long n = c < pixels.Count ? pixels[c] : 0;
            if (n >= minimum) continue;
            warnings.Add(n == 0
                ? $"class {c} ({CropClasses.NameOf(c)}) has no pixel in the kept chips: its class weight is not measured"
                : $"class {c} ({CropClasses.NameOf(c)}) has only {n} pixels in the kept chips (fewer than report.min_class_pixels = {minimum}): its class weight is noise");
        }
        return warnings;
    }
}
