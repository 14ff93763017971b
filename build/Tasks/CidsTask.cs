using CropData.Build.Context;
using CropData.Dataset.Scenes;
using CropData.Graph;
using CropData.Stac.Hls;

namespace CropData.Build.Tasks;

[TaskName("cids")]
[ReadsConfig("stac.easier_url", "stac.easier_collection", "bands", "fmask_band")]
[UsesConfig("stac.concurrency", "stac.max_tries", "stac.timeout_seconds", "stac.token_env")] // how to reach the server
[IsDependentOn(typeof(ScenesTask))]
[TaskDescription("Stage 6: look up every selected scene's band CIDs in the Easier STAC catalog -> tile_payloads.json")]
public sealed class CidsTask : UnitTask<DatasetContext, SceneRef>
{
    public override IEnumerable<SceneRef> Units(DatasetContext c) =>
        c.State.Tiles().SelectMany(t => c.State.TileScenes(t).Select(s => new SceneRef(t, s.Scene.SceneId)))
            .DistinctBy(u => u.Scene).OrderBy(u => u.Scene, StringComparer.Ordinal);

    public override string UnitId(SceneRef u) => u.Scene;

    public override string? ShardKey(SceneRef u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => Math.Max(c.Options.Jobs, Math.Min(c.Config.Stac.Concurrency, 16));

    // The scene id comes from the CMR catalog and names this unit's files: checked before any path is made of it
    // (a failed Describe fails this unit only; the other scenes go on).
    public override UnitSpec Describe(SceneRef u, DatasetContext c)
    {
        SafeName.Check(u.Scene, "scene id");
        return new(
            Inputs: StacSources.InputFiles(c, c.Config.Stac.EasierUrl),
            Outputs: [c.Paths.ScenePayload(u.Scene), c.Paths.ScenePayloadIssues(u.Scene), .. c.SceneBands.Select(b => c.Paths.BandCid(u.Scene, b))]);
    }

    public override async Task RunAsync(SceneRef u, DatasetContext c, UnitOutputs o)
    {
        var source = StacSources.Open(c, c.Config.Stac.EasierUrl);
        try
        {
            var lookup = new EasierCidLookup(source, new EasierCidOptions
            {
                Bands = c.SceneBands,
                Collections = c.Config.Stac.EasierCollection is { } col ? [col] : null,
            });
            var (_, bands, issues) = await lookup.LookupSceneAsync(u.Scene, c.CancellationToken);
            foreach (var issue in issues) o.Warn($"scene {issue.SceneId}: {issue.Problem}");
            if (bands.Count == 0)
                throw new InvalidOperationException($"scene {u.Scene}: no band CIDs found in {source.Description}" +
                                                    (issues.Count > 0 ? $" ({issues[0].Problem})" : ""));
            WorkFile.Write(o.TempPathFor(c.Paths.ScenePayload(u.Scene)), bands);
            foreach (var b in bands.Where(b => c.SceneBands.Contains(b.BandName)))
                File.WriteAllText(o.TempPathFor(c.Paths.BandCid(u.Scene, b.BandName)), b.Cid + "\n");
            SceneIssuesCsv.WriteFile(o.TempPathFor(c.Paths.ScenePayloadIssues(u.Scene)), issues);
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    public override void Gather(DatasetContext c, IReadOnlyList<SceneRef> units, UnitOutputs o)
    {
        var payloads = units.Where(u => File.Exists(c.Paths.ScenePayload(u.Scene)))
            .Select(u => KeyValuePair.Create(u.Scene, c.State.ScenePayload(u.Scene)));
        var text = System.Text.Encoding.UTF8.GetString(TilePayloadsJson.ToBytes(payloads));
        o.WriteAllText(c.Paths.TilePayloadsJson, text);

        // scene_issues.csv: every scene skipped by discovery or the CID lookup, and every tile the rules dropped.
        var tiles = c.State.Tiles();
        var issues = tiles.Where(t => File.Exists(c.Paths.TileSearchIssues(t))).SelectMany(t => SceneIssuesCsv.ReadFile(c.Paths.TileSearchIssues(t)))
            .Concat(c.State.TileSelections(tiles).Where(t => !t.IsSelected).Select(t => new SceneIssue(t.TileId, "", "tile dropped: " + t.DropReason)))
            .Concat(units.Where(u => File.Exists(c.Paths.ScenePayloadIssues(u.Scene))).SelectMany(u => SceneIssuesCsv.ReadFile(c.Paths.ScenePayloadIssues(u.Scene))));
        o.WriteAllText(c.Paths.SceneIssuesCsv, SceneIssuesCsv.ToText(issues));
    }

}
