using CropData.Build.Context;
using CropData.Dataset.Config;
using CropData.Dataset.Scenes;
using CropData.Graph;
using CropData.Stac.Hls;

namespace CropData.Build.Tasks;

[TaskName("cids")]
[ReadsConfig("stac.easier_url", "stac.easier_collection", "bands", "fmask_band", "download.order")]
[UsesConfig("stac.concurrency", "stac.max_tries", "stac.timeout_seconds", "stac.token_env")] // how to reach the server
[IsDependentOn(typeof(ScenesTask))]
[TaskDescription("Stage 6: look up every selected scene's band CIDs in the Easier STAC catalog and decide each band's sources -> scene_issues.csv")]
public sealed class CidsTask : UnitTask<DatasetContext, SceneRef>
{
    // 2: one plan per band (CID, https href, UMM-G checksum, source order); tile_payloads.json moved to the download stage.
    public override string Version => "2";

    public override IEnumerable<SceneRef> Units(DatasetContext c) => c.State.SelectedScenes();

    public override string UnitId(SceneRef u) => u.Scene;

    public override string? ShardKey(SceneRef u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => Math.Max(c.Options.Jobs, Math.Min(c.Config.Stac.Concurrency, 16));

    // The scene id comes from the CMR catalog and names this unit's files: checked before any path is made of it
    // (a failed Describe fails this unit only; the other scenes go on).
    public override UnitSpec Describe(SceneRef u, DatasetContext c)
    {
        SafeName.Check(u.Scene, "scene id");
        return new(
            Inputs: StacSources.InputFiles(c, c.Config.Stac.EasierUrl).Concat([c.Paths.TileScenes(u.Tile), c.Paths.TileChecksums(u.Tile)]),
            Outputs: [c.Paths.ScenePayload(u.Scene), c.Paths.ScenePayloadIssues(u.Scene), .. c.SceneBands.Select(b => c.Paths.BandPlan(u.Scene, b))]);
    }

    public override async Task RunAsync(SceneRef u, DatasetContext c, UnitOutputs o)
    {
        var order = c.Config.Download.Order;
        var (cids, issues) = order.Contains(DownloadConfig.Ipfs) ? await LookupCidsAsync(u, c) : ([], []);
        var scene = c.State.TileScenes(u.Tile).Single(s => s.Scene.SceneId == u.Scene).Scene;
        var checksums = File.Exists(c.Paths.TileChecksums(u.Tile))
            ? WorkFile.Read<Dictionary<string, Dictionary<string, FileChecksum>>>(c.Paths.TileChecksums(u.Tile)).GetValueOrDefault(u.Scene)
            : null;

        // docs/PIPELINE.md stages 6-7: each band's sources in download.order, among those it has (a CID, an https href).
        var plans = new List<BandPlan>();
        var missing = new List<MissingBand>();
        foreach (var band in c.SceneBands)
        {
            var cid = cids.FirstOrDefault(b => b.BandName == band)?.Cid;
            var problem = issues.FirstOrDefault(i => i.Problem.StartsWith($"band {band}:", StringComparison.Ordinal))?.Problem
                          ?? issues.FirstOrDefault()?.Problem;
            var (plan, none) = BandSourceRule.Plan(band, HlsNames.BandFileName(u.Scene, band), cid, scene.HttpsLinks.GetValueOrDefault(band),
                checksums?.GetValueOrDefault(band), order, problem);
            if (plan is not null) plans.Add(plan);
            else missing.Add(none!);
        }
        var result = new ScenePlan(plans, missing);

        // scene_issues.csv holds the per-scene decision: bands that do not come from IPFS first say where they come from
        // and how they will be checked; a band without any source leaves the scene's tile out, said once, here.
        var rows = issues.Where(i => !plans.Any(p => p.Cid is null && i.Problem.StartsWith($"band {p.BandName}:", StringComparison.Ordinal))).ToList();
        if (!result.IsComplete)
        {
            rows = [new SceneIssue(u.Tile, u.Scene, $"tile {u.Tile} not built: {result.MissingText(u.Scene)}")];
            o.Warn($"tile {u.Tile} not built: {result.MissingText(u.Scene)}");
        }
        else
            foreach (var g in plans.Where(p => p.Sources[0] == DownloadConfig.Https).GroupBy(p => (p.Cid is null, p.HttpsVerification)))
                rows.Add(new SceneIssue(u.Tile, u.Scene, $"band(s) {string.Join(" ", g.Select(p => p.BandName))}: " +
                    (g.Key.Item1 ? $"no CID ({issues.FirstOrDefault()?.Problem ?? "ipfs is not in download.order"}); " : "") +
                    $"source https (LP DAAC href), checked by {g.Key.HttpsVerification}"));

        WorkFile.Write(o.TempPathFor(c.Paths.ScenePayload(u.Scene)), result);
        foreach (var p in plans) WorkFile.Write(o.TempPathFor(c.Paths.BandPlan(u.Scene, p.BandName)), p);
        SceneIssuesCsv.WriteFile(o.TempPathFor(c.Paths.ScenePayloadIssues(u.Scene)), rows);
    }

    private static async Task<(IReadOnlyList<BandCid> Bands, IReadOnlyList<SceneIssue> Issues)> LookupCidsAsync(SceneRef u, DatasetContext c)
    {
        var source = StacSources.Open(c, c.Config.Stac.EasierUrl);
        try
        {
            var lookup = new EasierCidLookup(source, new EasierCidOptions
            {
                Bands = c.SceneBands,
                Collections = c.Config.Stac.EasierCollection is { } col ? [col] : null,
                ThrowOnSearchFailure = true, // a catalog that is down fails the unit (retried next build); it does not drop the tile
            });
            var (_, bands, issues) = await lookup.LookupSceneAsync(u.Scene, c.CancellationToken);
            return (bands, issues);
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    // scene_issues.csv: every scene skipped by discovery, every band source decision of this stage, every tile the rules
    // dropped. (tile_payloads.json is written by the download stage: it records where each band really came from.)
    public override void Gather(DatasetContext c, IReadOnlyList<SceneRef> units, UnitOutputs o)
    {
        var tiles = c.State.Tiles();
        var issues = tiles.Where(t => File.Exists(c.Paths.TileSearchIssues(t))).SelectMany(t => SceneIssuesCsv.ReadFile(c.Paths.TileSearchIssues(t)))
            .Concat(c.State.TileSelections(tiles).Where(t => !t.IsSelected).Select(t => new SceneIssue(t.TileId, "", "tile dropped: " + t.DropReason)))
            .Concat(units.Where(u => File.Exists(c.Paths.ScenePayloadIssues(u.Scene))).SelectMany(u => SceneIssuesCsv.ReadFile(c.Paths.ScenePayloadIssues(u.Scene))));
        o.WriteAllText(c.Paths.SceneIssuesCsv, SceneIssuesCsv.ToText(issues));
    }
}
