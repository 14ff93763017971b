namespace CropData.Dataset.Scenes;

/// <summary>
/// A checksum a granule's UMM-G states for one of its files (<c>DataGranule.ArchiveAndDistributionInformation[].Checksum</c>):
/// the algorithm as UMM-G names it ("SHA-256", "MD5", …) and the value (hex).
/// </summary>
public sealed record FileChecksum(string Algorithm, string Value)
{
    public override string ToString() => $"{Algorithm} {Value}";
}

/// <summary>
/// Where one band file of a selected scene can come from (spec stage 6 decides, stage 7 fetches): its CID from the
/// Easier catalog, its LP DAAC href and the UMM-G checksum of that file (each null when there is none), and the kinds
/// of source to try in order (<c>download.order</c> filtered to those the band has).
/// </summary>
public sealed record BandPlan(string BandName, string Filename, string? Cid, string? Href, FileChecksum? Checksum, IReadOnlyList<string> Sources)
{
    /// <summary>How bytes from https will be checked: against the CID, the UMM-G checksum, or not at all.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string HttpsVerification => Cid is not null ? BandVerification.Cid
        : Checksum is not null ? BandVerification.UmmgChecksum(Checksum.Algorithm) : BandVerification.UnverifiedOrigin;
}

/// <summary>
/// A scene's plan (the cids stage's per-scene record): a plan for each configured band that has a source, and for
/// each band without one, why. A scene with a missing band is left out of retrieval and its tile is not built.
/// </summary>
public sealed record ScenePlan(IReadOnlyList<BandPlan> Bands, IReadOnlyList<MissingBand> Missing)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsComplete => Missing.Count == 0;

    /// <summary>One line: which bands have no source and why (the tile's reason in the build summary and the report).</summary>
    public string MissingText(string scene) =>
        $"scene {scene} has no source for band(s) {string.Join(" ", Missing.Select(m => m.BandName))}: " +
        string.Join("; ", Missing.Select(m => m.Reason).Distinct());
}

public sealed record MissingBand(string BandName, string Reason);

/// <summary>How a band file's bytes were checked (the <c>verified</c> field of tile_payloads.json and the manifest).</summary>
public static class BandVerification
{
    public const string Cid = "cid";
    public const string UnverifiedOrigin = "unverified origin";
    public static string UmmgChecksum(string algorithm) => $"umm-g {algorithm}";
}

/// <summary>
/// Spec stage 6/7: the kinds of source a band can use, in the configured order. <c>ipfs</c> needs a CID, <c>https</c>
/// an href; a band left with none has no source (the reason names what was missing).
/// </summary>
public static class BandSourceRule
{
    public static (BandPlan? Plan, MissingBand? Missing) Plan(string band, string filename, string? cid, string? href, FileChecksum? checksum,
        IReadOnlyList<string> order, string? cidProblem)
    {
        var sources = order.Where(k => k switch { "ipfs" => cid is not null, "https" => href is not null, _ => false }).ToList();
        if (sources.Count > 0) return (new BandPlan(band, filename, cid, href, checksum, sources), null);
        // Every kind in the order failed for a reason; a kind left out of the order is named too (the fix may be to add it).
        var why = new List<string> { order.Contains("ipfs") ? cidProblem ?? "no CID" : "ipfs is not in download.order" };
        why.Add(order.Contains("https") ? "the granule's UMM-G has no https link for it" : "https is not in download.order");
        return (null, new MissingBand(band, string.Join("; ", why)));
    }
}
