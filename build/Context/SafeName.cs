using System.Text.RegularExpressions;

namespace CropData.Build.Context;

/// <summary>
/// Ids that come from remote catalogs (scene ids, band names, file names) become path segments; they must
/// never reach outside the dataset folder (issue 11: no "..", separators, absolute paths or control characters).
/// </summary>
public static partial class SafeName
{
    // \z, not $: in .NET "$" also matches before a final "\n", which let "id\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Allowed();

    public static string Check(string? value, string what)
    {
        if (value is null || !Allowed().IsMatch(value) || value.Contains("..", StringComparison.Ordinal))
            throw new InvalidDataException(
                $"{what} '{Printable(value)}' is not a safe file name: expected letters, digits, '.', '_' or '-' " +
                "(no path separators, '..', absolute paths or control characters)");
        return value;
    }

    private static string Printable(string? s) =>
        s is null ? "null" : string.Concat(s.Select(ch => char.IsControl(ch) ? $"\\u{(int)ch:x4}" : ch.ToString()));
}
