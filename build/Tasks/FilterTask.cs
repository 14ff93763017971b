using CropData.Build.Context;
using CropData.Dataset.Chips;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("filter")]
[ReadsConfig("filter")]
[IsDependentOn(typeof(ChipsTask))]
[TaskDescription("Stage 10: keep chips with bad_pct_max < 5 and na_count == 0 -> chips_filtered/")]
public sealed class FilterTask : UnitTask<DatasetContext, string>
{
    public static ChipFilterRule Rule(DatasetContext c) => new(c.Config.Filter.MaxBadPct, c.Config.Filter.MaxNaCount);

    public override IEnumerable<string> Units(DatasetContext c) => ChipsTask.ReadAllQa(c).Where(q => q.Built).Select(q => q.ChipId);

    public override string UnitId(string chip) => chip;

    public override string? ShardKey(string chip) => null;

    // Outputs are declared whether or not the chip qualifies: a chip that stops qualifying loses its copies.
    public override UnitSpec Describe(string chip, DatasetContext c) => new(
        Inputs: [c.Paths.ChipQa(chip), c.Paths.Merged(chip), c.Paths.Mask(chip)],
        Outputs: [c.Paths.FilteredMerged(chip), c.Paths.FilteredMask(chip)]);

    public override void Run(string chip, DatasetContext c, UnitOutputs o)
    {
        var qa = WorkFile.Read<ChipsTask.ChipQa>(c.Paths.ChipQa(chip));
        if (qa.Row is null || !Rule(c).Keep(qa.Row)) return;
        File.Copy(c.Paths.Merged(chip), o.TempPathFor(c.Paths.FilteredMerged(chip)), overwrite: true);
        File.Copy(c.Paths.Mask(chip), o.TempPathFor(c.Paths.FilteredMask(chip)), overwrite: true);
    }

    public override void Gather(DatasetContext c, IReadOnlyList<string> units, UnitOutputs o)
    {
        var kept = KeptQaRows(c);
        c.Log.Information($"filter: {kept.Count} of {units.Count} built chips kept -> {Path.Combine(c.Paths.Root, "chips_filtered")}");
    }

    /// <summary>Tracking rows of the chips that pass the filter (from the tracking table, never a directory listing).</summary>
    public static IReadOnlyList<ChipTrackingRow> KeptRows(DatasetContext c)
    {
        var rule = Rule(c);
        return File.Exists(c.Paths.TrackChipsCsv)
            ? TrackChipsCsv.Read(c.Paths.TrackChipsCsv).Where(rule.Keep).OrderBy(r => r.ChipId, StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>
    /// The same rows read from the chips stage's per-chip QA records, the rule the filter units apply; this is
    /// what a shard has (it writes no track_chips.csv). Rows are equal to the table's: both use round-trip numbers.
    /// </summary>
    public static IReadOnlyList<ChipTrackingRow> KeptQaRows(DatasetContext c)
    {
        var rule = Rule(c);
        return ChipsTask.ReadAllQa(c).Where(q => q is { Built: true, Row: not null } && rule.Keep(q.Row))
            .Select(q => q.Row!).OrderBy(r => r.ChipId, StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<string> KeptChips(DatasetContext c) => KeptRows(c).Select(r => r.ChipId).ToList();
}
