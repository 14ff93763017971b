namespace CropData.Dataset.Chips;

/// <summary>
/// One row of <c>track_chips.csv</c> (spec stage 9): QA of the chip's dates, in date order — valid pixels and bad
/// percentage per date, the worst bad percentage, the NA count and the dates. As many dates as the chip has
/// (<c>selection.scenes_per_chip</c>, 3 in the published dataset).
/// </summary>
public sealed record ChipTrackingRow(
    string ChipId,
    string Tile,
    IReadOnlyList<int> Valid,
    IReadOnlyList<double> BadPct,
    double BadPctMax,
    long NaCount,
    IReadOnlyList<DateOnly> ImageDates)
{
    public int DateCount => ImageDates.Count;

    // Value equality over the lists too (a row read back from the CSV equals the row written).
    public bool Equals(ChipTrackingRow? other) =>
        other is not null && ChipId == other.ChipId && Tile == other.Tile && Valid.SequenceEqual(other.Valid)
        && BadPct.SequenceEqual(other.BadPct) && BadPctMax.Equals(other.BadPctMax) && NaCount == other.NaCount
        && ImageDates.SequenceEqual(other.ImageDates);

    public override int GetHashCode() => HashCode.Combine(ChipId, Tile, BadPctMax, NaCount, DateCount);
}

/// <summary>Stage 10 and the stage 9 skip rule.</summary>
public sealed record ChipFilterRule(double MaxBadPct = 5, long MaxNaCount = 0)
{
    /// <summary>Keep when <c>bad_pct_max &lt; MaxBadPct</c> (strict, as the original) and <c>na_count &lt;= MaxNaCount</c>.</summary>
    public bool Keep(ChipTrackingRow row) => row.BadPctMax < MaxBadPct && row.NaCount <= MaxNaCount;

    /// <summary>A chip is skipped (no files, no tracking row) when any of its dates has no valid Fmask pixel.</summary>
    public static bool Skip(IEnumerable<FmaskDateQa> dates) => dates.Any(d => d.Valid == 0);
}

/// <summary>What stage 9 made of one chip: built (with its tracking row) or left out (and why).</summary>
public sealed record ChipQa(string ChipId, string Tile, bool Built, string? Reason, int[] Valid, double[] BadPct,
    ChipTrackingRow? Row, long UnmappedCdlPixels);
