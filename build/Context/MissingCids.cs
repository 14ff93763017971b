using System.Text.Json;

namespace CropData.Build.Context;

/// <summary>One band whose CID no source could serve (stage 7), as listed in <c>missing_cids.json</c>.</summary>
public sealed record MissingCid(string Cid, string Filename, string BandName, string Scene, IReadOnlyList<string> Reasons);

public static class MissingCids
{
    /// <summary>The text of <c>missing_cids.json</c>: sorted by the caller, snake_case keys, LF.</summary>
    public static string Text(IReadOnlyList<MissingCid> missing) =>
        JsonSerializer.Serialize(missing, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NewLine = "\n" }) + "\n";
}
