namespace CropData.Dataset.Chips;

/// <summary>One date of a chip: the warped reflectance windows (config band order) and the warped Fmask window.</summary>
/// <param name="BandNoData">Declared nodata of each reflectance band (-9999 for HLS v2.0), counted as NA by default.</param>
public sealed record ChipDate(DateOnly Date, IReadOnlyList<short[]> Reflectance, IReadOnlyList<double?> BandNoData, byte[] Fmask);

/// <summary>
/// A chip after the stage 9 rules: merged bands (date-major: date 1 bands, date 2 bands, …) with NA counted
/// and negatives clipped, the Fmask bands, QA per date and the tracking row. <see cref="Skipped"/> chips have no row.
/// </summary>
public sealed record AssembledChip(
    string ChipId,
    IReadOnlyList<FmaskDateQa> Qa,
    IReadOnlyList<short[]> Merged,
    IReadOnlyList<byte[]> Fmask,
    long NaCount,
    ChipTrackingRow? Row)
{
    public bool Skipped => Row is null;
}

public static class ChipAssembly
{
    /// <summary>
    /// Applies the stage 9 rules to one chip. Dates must be in date order (the tile's selected scenes, as many as
    /// <c>selection.scenes_per_chip</c>). The input arrays are not modified; <see cref="AssembledChip.Merged"/> holds
    /// clipped copies.
    /// </summary>
    public static AssembledChip Assemble(string chipId, string tile, IReadOnlyList<ChipDate> dates, NaPolicy na)
    {
        if (dates.Count == 0) throw new ArgumentException($"{chipId}: no dates given");
        for (var i = 1; i < dates.Count; i++)
            if (dates[i].Date < dates[i - 1].Date)
                throw new ArgumentException($"{chipId}: dates are not in order ({dates[i - 1].Date:yyyy-MM-dd} before {dates[i].Date:yyyy-MM-dd})");
        var pixels = dates[0].Fmask.Length;
        var bandsPerDate = dates[0].Reflectance.Count;
        foreach (var d in dates)
        {
            if (d.Fmask.Length != pixels || d.Reflectance.Count != bandsPerDate || d.BandNoData.Count != bandsPerDate ||
                d.Reflectance.Any(b => b.Length != pixels))
                throw new ArgumentException(
                    $"{chipId}: date {d.Date:yyyy-MM-dd} has {d.Reflectance.Count} bands / {d.Fmask.Length} Fmask pixels, " +
                    $"expected {bandsPerDate} bands of {pixels} pixels like the first date");
        }

        var qa = dates.Select(d => FmaskQa.Evaluate(d.Fmask)).ToArray();
        var fmask = dates.Select(d => d.Fmask).ToArray();
        if (ChipFilterRule.Skip(qa)) return new AssembledChip(chipId, qa, [], fmask, 0, null);

        var merged = new List<short[]>(dates.Count * bandsPerDate);
        long naCount = 0;
        foreach (var d in dates)
            for (var b = 0; b < bandsPerDate; b++)
            {
                var copy = (short[])d.Reflectance[b].Clone();
                naCount += na.CountAndClip(copy, d.BandNoData[b]);
                merged.Add(copy);
            }

        var row = new ChipTrackingRow(chipId, tile, qa.Select(q => q.Valid).ToArray(), qa.Select(q => q.BadPct).ToArray(),
            qa.Max(q => q.BadPct), naCount, dates.Select(d => d.Date).ToArray());
        return new AssembledChip(chipId, qa, merged, fmask, naCount, row);
    }
}
