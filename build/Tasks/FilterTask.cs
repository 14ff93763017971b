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
    public override IEnumerable<string> Units(DatasetContext c) => c.State.ChipQa().Where(q => q.Built).Select(q => q.ChipId);

    public override string UnitId(string chip) => chip;

    public override string? ShardKey(string chip) => null;

    // Outputs are declared whether or not the chip qualifies: a chip that stops qualifying loses its copies.
    public override UnitSpec Describe(string chip, DatasetContext c) => new(
        Inputs: [c.Paths.ChipQa(chip), c.Paths.Merged(chip), c.Paths.Mask(chip)],
        Outputs: [c.Paths.FilteredMerged(chip), c.Paths.FilteredMask(chip)]);

    public override void Run(string chip, DatasetContext c, UnitOutputs o)
    {
        var qa = WorkFile.Read<ChipQa>(c.Paths.ChipQa(chip));
        if (qa.Row is null || !c.State.FilterRule.Keep(qa.Row)) return;
        File.Copy(c.Paths.Merged(chip), o.TempPathFor(c.Paths.FilteredMerged(chip)), overwrite: true);
        File.Copy(c.Paths.Mask(chip), o.TempPathFor(c.Paths.FilteredMask(chip)), overwrite: true);
    }

    public override void Gather(DatasetContext c, IReadOnlyList<string> units, UnitOutputs o)
    {
        var kept = c.State.KeptQaRows();
        c.Log.Information($"filter: {kept.Count} of {units.Count} built chips kept -> {Path.Combine(c.Paths.Root, "chips_filtered")}");
    }

}
