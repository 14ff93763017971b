namespace CropData.Dataset.Chips;

/// <summary>One row of <c>track_chips.csv</c> (spec stage 9): QA of the chip's three dates, in date order.</summary>
public sealed record ChipTrackingRow(
    string ChipId,
    string Tile,
    int ValidFirst, int ValidSecond, int ValidThird,
    double BadPctFirst, double BadPctSecond, double BadPctThird,
    double BadPctMax,
    long NaCount,
    DateOnly FirstImageDate, DateOnly SecondImageDate, DateOnly ThirdImageDate);

/// <summary>Stage 10 and the stage 9 skip rule.</summary>
public sealed record ChipFilterRule(double MaxBadPct = 5, long MaxNaCount = 0)
{
    /// <summary>Keep when <c>bad_pct_max &lt; MaxBadPct</c> (strict, as the original) and <c>na_count &lt;= MaxNaCount</c>.</summary>
    public bool Keep(ChipTrackingRow row) => row.BadPctMax < MaxBadPct && row.NaCount <= MaxNaCount;

    /// <summary>A chip is skipped (no files, no tracking row) when any of its dates has no valid Fmask pixel.</summary>
    public static bool Skip(IEnumerable<FmaskDateQa> dates) => dates.Any(d => d.Valid == 0);
}
