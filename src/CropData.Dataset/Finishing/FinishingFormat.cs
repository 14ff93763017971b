using System.Globalization;
using System.Text;

namespace CropData.Dataset.Finishing;

/// <summary>
/// Number and file formatting shared by the finishing writers. Every file is UTF-8 without BOM with LF line ends
/// and invariant-culture numbers, so the same inputs give the same bytes on every machine.
/// </summary>
public static class FinishingFormat
{
    public static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Shortest round-trip text of a double written the way Python's <c>repr(float)</c> writes it (always with a
    /// decimal point: <c>124.0</c>, <c>494.905781</c>), because the baseline reads these lists with PyYAML and an
    /// integer-looking value would load as int.
    /// </summary>
    public static string PyFloat(double v)
    {
        if (double.IsNaN(v)) return ".nan";
        if (double.IsPositiveInfinity(v)) return ".inf";
        if (double.IsNegativeInfinity(v)) return "-.inf";
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            // .NET writes 1E+16 where Python writes 1e+16; unlike repr, keep a decimal point in the mantissa
            // (1.0e+16): PyYAML's float pattern requires one and would otherwise load a string.
            var e = s.IndexOf('E');
            var mant = s[..e];
            if (!mant.Contains('.')) mant += ".0";
            var exp = s[(e + 1)..];
            if (exp[0] != '-' && exp[0] != '+') exp = "+" + exp;
            return mant + "e" + exp;
        }
        return s.Contains('.') ? s : s + ".0";
    }

    /// <summary>Fixed-point text with <paramref name="decimals"/> decimals (invariant culture, "-0" written as "0").</summary>
    public static string Fixed(double v, int decimals)
    {
        var s = v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.StartsWith('-') && s.Trim('-', '0', '.').Length == 0 ? s[1..] : s;
    }

    public static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Lines joined with LF and ended by LF (an empty list gives an empty file).</summary>
    public static string Lines(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes text as UTF-8 without BOM, creating the folder.</summary>
    public static void WriteText(string path, string text) => WriteBytes(path, Utf8NoBom.GetBytes(text));

    /// <summary>
    /// Writes the file, creating the folder. Not atomic by itself: in a build the path is the engine's temp for the
    /// output, which the engine renames into place once the unit has finished (the one atomic-write rule).
    /// </summary>
    public static void WriteBytes(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }
}
