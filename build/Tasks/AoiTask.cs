using CropData.Build.Context;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("aoi")]
[ReadsConfig("aoi", "grid.chips4326", "grid.chips5070")]
[IsDependentOn(typeof(SampleDataTask))]
[TaskDescription("Stage 1: select the chips of the AOI (GeoJSON, bbox, chip payload or chip ids; none = all 5,000)")]
public sealed class AoiTask : AggregateTask
{
    public override bool IsAggregate => false; // cheap and deterministic: every shard computes the same chip set

    public override UnitSpec Describe(string unit, DatasetContext c) => new(
        Inputs: new[] { c.Resolve(c.Config.Grid.Chips4326), c.Resolve(c.Config.Grid.Chips5070) }
            .Concat(c.Config.Aoi.Geojson is { } aoi ? [c.Resolve(aoi)] : []),
        Outputs: [c.Paths.AoiChips, c.Paths.AoiChips5070, c.Paths.AoiChipIds]);

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        var selection = SelectChips(c);
        c.Log.Information($"AOI: {selection.Chips.Count} chips ({selection.Source})");
        ChipGeoJson.WriteFile(o.TempPathFor(c.Paths.AoiChips), selection.Chips, ChipCrs.Wgs84);
        ChipGeoJson.WriteFile(o.TempPathFor(c.Paths.AoiChips5070), selection.Chips, ChipCrs.Albers5070);
        File.WriteAllLines(o.TempPathFor(c.Paths.AoiChipIds), selection.Ids.Order(StringComparer.Ordinal));
    }

    private static ChipSelection SelectChips(DatasetContext c)
    {
        var grid = c.Grid;
        var aoi = c.Config.Aoi;
        if (aoi.ChipIds is { } ids)
        {
            if (ids.Count == 0) throw new GeoInputException("aoi.chip_ids is empty: list at least one chip id (chip_RRR_CCC)");
            return new ChipSelection(ids.Select(id => ChipFactory.Resolve(grid, id)), "aoi.chip_ids");
        }
        var spec = aoi.Geojson is { } file ? AoiSpec.FromFile(c.Resolve(file))
            : aoi.Bbox is { } bbox ? AoiSpec.FromBbox(bbox)
            : AoiSpec.AllChips;
        return AoiSelector.Select(grid, spec);
    }

    /// <summary>The chip ids of the current AOI (the aoi task's output), sorted.</summary>

}
