using CropData.Build.Context;
using CropData.Graph;
using CropData.Sample;

namespace CropData.Build.Tasks;

[TaskName("sample-data")]
[ReadsConfig("sample")]
// The CDL, reclass and (multi-tile) tile-centroid files are the unit's inputs: their paths and bytes are in its fingerprint.
[UsesConfig("cdl", "grid.tile_centroids")]
// The graph's root: with --target=merge the shards' union comes first, and a failed union blocks every stage
// rather than letting them start from scratch in the merged folder (a plain build skips merge-shards).
[IsDependentOn(typeof(MergeShardsTask))]
[TaskDescription("Generate the sample's inputs: synthetic-reflectance COGs of real HLS scene ids in a CAR, static STAC catalogs (sample.tiles: several tiles and a synthetic CDL window)")]
public sealed class SampleDataTask : AggregateTask
{
    public override bool IsAggregate => false; // every shard needs the same inputs

    public override string Version => SampleGenerator.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override bool ShouldRun(DatasetContext c) => c.Config.Sample.Enabled;

    // The whole generated tree is the unit's output: every file in it is owned, a deleted or stray file rebuilds it,
    // and the engine writes it under a lock beside the folder (datasets sharing a data_dir share it). The multi-tile
    // sample generates its CDL window into that tree, so the CDL is then an output, not an input.
    public override UnitSpec Describe(string unit, DatasetContext c) => new(
        Inputs: MultiTile(c)
            ? [c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection), c.Resolve(c.Config.Grid.TileCentroids)]
            : [c.Resolve(c.Config.Cdl.Path), c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection)],
        Outputs: []) { OutputFolders = [c.Paths.SampleInputs] };

    private const string OriginalSelection = "data/reference/clarkcga/selected_tiles.csv";

    /// <summary>
    /// sample.chips by the tile stage 2's default rule (nearest centroid) gives them: each tile's band files cover its own
    /// chips only, which keeps the sample small. Every chip's tile must be one of sample.tiles, and every tile get a chip.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>> ChipsByTile(DatasetContext c)
    {
        var tiles = c.Config.Sample.Tiles.Select(CropData.Dataset.Scenes.HlsNames.NormalizeTile).ToHashSet(StringComparer.Ordinal);
        var byTile = c.Config.Sample.Chips.GroupBy(id => c.TileAssigner.NearestCentroid(CropData.Geo.ChipFactory.FromId(id)))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var stray = byTile.Keys.Where(t => !tiles.Contains(t)).ToList();
        var empty = tiles.Where(t => !byTile.ContainsKey(t)).ToList();
        if (stray.Count > 0 || empty.Count > 0)
            throw new InvalidOperationException($"sample.chips: nearest-centroid assignment gives chips to tile(s) [{string.Join(", ", stray)}] not in sample.tiles " +
                                                $"and none to [{string.Join(", ", empty)}]; list the tiles the chips fall in");
        return byTile;
    }

    private static bool MultiTile(DatasetContext c) => c.Config.Sample.Tiles.Count > 0;

    public override void Run(string unit, DatasetContext c, UnitOutputs o)
    {
        var folder = o.TempFolderFor(c.Paths.SampleInputs);
        var seed = (ulong)c.Config.Sample.Seed;
        if (MultiTile(c))
        {
            var cdl = Path.Combine(c.Paths.SampleInputs, MultiTileSample.CdlFile);
            if (c.Resolve(c.Config.Cdl.Path) != cdl)
                throw new InvalidOperationException($"cdl.path is '{c.Config.Cdl.Path}'; with sample.tiles it must be the generated CDL window ${{data_dir}}/sample_inputs/{MultiTileSample.CdlFile}");
            var tiles = MultiTileSample.Generate(new MultiTileInputs(folder, c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection), seed,
                ChipsByTile(c)));
            c.Log.Information($"sample-data: {tiles.Cids.Count} band files of {c.Config.Sample.Tiles.Count} tiles (synthetic reflectance, synthetic CDL window {cdl})");
            return;
        }
        var result = SampleGenerator.Generate(new SampleInputs(folder, c.Resolve(c.Config.Cdl.Path), c.Resolve(c.Config.Cdl.ReclassTable), c.Resolve(OriginalSelection), seed));
        c.Log.Information($"sample-data: {result.Cids.Count} band files (synthetic reflectance) packed into {Path.Combine(c.Paths.SampleInputs, "ipfs", "sample.car")}");
    }
}
