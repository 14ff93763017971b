using CropData.Build.Context;
using CropData.Dataset.Scenes;
using CropData.Geo;
using CropData.Graph;
using CropData.Stac.Hls;

namespace CropData.Build.Tasks;

[TaskName("search")]
[ReadsConfig("stac.cmr_url", "stac.collection", "stac.datetime", "bands", "fmask_band")]
[UsesConfig("grid.chips4326", "grid.chips5070", "stac.concurrency", "stac.max_tries", "stac.timeout_seconds", "stac.token_env")] // the chip's square follows from its id; how to reach the server
[IsDependentOn(typeof(TilesTask))]
[TaskDescription("Stage 3: search HLS S30 scenes per tile (CMR STAC or a static catalog) and read their UMM-G metadata")]
public sealed class SearchTask : UnitTask<DatasetContext, SearchTask.TileUnit>
{
    /// <summary>A tile and the first of its chips, whose footprint is the search geometry (as the original did).</summary>
    public sealed record TileUnit(string Tile, string FirstChip);

    public override IEnumerable<TileUnit> Units(DatasetContext c) =>
        c.State.ChipIds()
            .Select(chip => c.State.ChipTile(chip))
            .GroupBy(t => t.Tile)
            .Select(g => new TileUnit(g.Key, g.Select(t => t.ChipId).Order(StringComparer.Ordinal).First()))
            .OrderBy(u => u.Tile, StringComparer.Ordinal);

    // 2: the candidates' UMM-G file checksums are kept beside them (the https source verifies against them, stage 7).
    public override string Version => "2";

    public override string UnitId(TileUnit u) => u.Tile;

    public override string? ShardKey(TileUnit u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => Math.Max(c.Options.Jobs, Math.Min(c.Config.Stac.Concurrency, 16));

    public override UnitSpec Describe(TileUnit u, DatasetContext c) => new(
        Inputs: StacSources.InputFiles(c, c.Config.Stac.CmrUrl).Prepend(c.Paths.ChipTile(u.FirstChip)),
        Outputs: [c.Paths.TileCandidates(u.Tile), c.Paths.TileSearchIssues(u.Tile), c.Paths.TileChecksums(u.Tile)]);

    public override async Task RunAsync(TileUnit u, DatasetContext c, UnitOutputs o)
    {
        var source = StacSources.Open(c, c.Config.Stac.CmrUrl);
        try
        {
            var discovery = new HlsSceneDiscovery(source, new HlsDiscoveryOptions
            {
                Collection = c.Config.Stac.Collection,
                Datetime = c.Config.Stac.Datetime,
                Bands = c.SceneBands,
            });
            var footprint = c.Chip(u.FirstChip).Footprint4326;
            var result = await discovery.DiscoverTileAsync(u.Tile, GeoJsonText.Of(footprint), c.CancellationToken);
            foreach (var issue in result.Issues) o.Warn($"scene {issue.SceneId}: {issue.Problem}");
            SceneCandidatesCsv.WriteFile(o.TempPathFor(c.Paths.TileCandidates(u.Tile)), result.Scenes);
            SceneIssuesCsv.WriteFile(o.TempPathFor(c.Paths.TileSearchIssues(u.Tile)), result.Issues);
            WorkFile.Write(o.TempPathFor(c.Paths.TileChecksums(u.Tile)), new SortedDictionary<string, IReadOnlyDictionary<string, FileChecksum>>(
                result.Scenes.Where(s => s.Checksums.Count > 0).ToDictionary(s => s.SceneId, s => s.Checksums), StringComparer.Ordinal));
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }
}
