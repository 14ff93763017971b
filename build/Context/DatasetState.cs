using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;
using CropData.Dataset.Scenes;
using CropData.Geo;

namespace CropData.Build.Context;

/// <summary>A scene selected for a tile (the cids stage's unit).</summary>
public sealed record SceneRef(string Tile, string Scene);

/// <summary>One band file of a selected scene and its CID, if it has one (the download stage's unit).</summary>
public sealed record SceneBand(string Tile, string Scene, string Band, string? Cid);

/// <summary>
/// One scene band and one chip row of its tile (the reproject stage's unit): in `original` mode the chips of a row
/// share one full-width strip warp (spec stage 8), and a re-downloaded band rebuilds only the chips that read it.
/// </summary>
public sealed record StripUnit(string Tile, string Scene, string Band, int ChipRow, IReadOnlyList<string> Chips);

/// <summary>The leaves of a band file one reproject unit read in download.mode ranges: [file offset, length] pairs in offset order.</summary>
public sealed record RangeReads(string Cid, long Size, IReadOnlyList<long[]> Leaves);

/// <summary>
/// What the earlier stages of this dataset produced, read from their outputs: the one way a task learns about
/// another stage's results (no task calls another task). Every read goes to the files the engine owns, so a task
/// that reads one must also declare it as an input where its output depends on it.
/// </summary>
public sealed class DatasetState(DatasetContext c)
{
    private DatasetPaths Paths => c.Paths;

    /// <summary>Stage 1: the AOI's chip ids.</summary>
    public IReadOnlyList<string> ChipIds() => File.ReadAllLines(Paths.AoiChipIds).Where(l => l.Length > 0).ToList();

    /// <summary>Stage 2: a chip's tile.</summary>
    public ChipTile ChipTile(string chip) => WorkFile.Read<ChipTile>(Paths.ChipTile(chip));

    /// <summary>Stage 2: the AOI's chips grouped by tile (chips not yet assigned are left out).</summary>
    public IReadOnlyList<(string Tile, IReadOnlyList<string> Chips)> ChipsByTile() =>
        ChipIds().Where(ch => File.Exists(Paths.ChipTile(ch)))
            .GroupBy(ch => ChipTile(ch).Tile).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList())).ToList();

    /// <summary>Stage 2: the tiles of the AOI's chips.</summary>
    public IReadOnlyList<string> Tiles() =>
        ChipIds().Select(chip => ChipTile(chip).Tile).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Stages 4-5: the selected scenes of a tile, first/middle/last; empty when the tile was dropped.</summary>
    public IReadOnlyList<SelectedScene> TileScenes(string tile) =>
        File.Exists(Paths.TileScenes(tile)) ? SelectedScenesCsv.ReadFile(Paths.TileScenes(tile)) : [];

    /// <summary>Stages 4-5: how the rules went for each tile that has been through them.</summary>
    public IReadOnlyList<TileSelectionRow> TileSelections(IEnumerable<string> tiles) =>
        tiles.Where(t => File.Exists(Paths.TileSelection(t))).SelectMany(t => TileSelectionCsv.ReadFile(Paths.TileSelection(t))).ToList();

    /// <summary>Stages 4-5: every selected scene once, with the tile it serves.</summary>
    public IReadOnlyList<SceneRef> SelectedScenes() =>
        Tiles().SelectMany(t => TileScenes(t).Select(s => new SceneRef(t, s.Scene.SceneId)))
            .DistinctBy(u => u.Scene).OrderBy(u => u.Scene, StringComparer.Ordinal).ToList();

    /// <summary>Stage 6: where each band of a scene can come from, and which bands have no source.</summary>
    public ScenePlan ScenePlan(string scene) => WorkFile.Read<ScenePlan>(Paths.ScenePayload(scene));

    /// <summary>Stage 6: one band's plan (the download unit's one input).</summary>
    public BandPlan BandPlan(string scene, string band) => WorkFile.Read<BandPlan>(Paths.BandPlan(scene, band));

    /// <summary>
    /// Stage 6: every band file of the selected scenes whose tile will be built. A tile with a scene that has no source
    /// for one of its bands is not built (docs/PIPELINE.md stage 6), so none of its scenes is fetched.
    /// </summary>
    public IEnumerable<SceneBand> SceneBands() =>
        SelectedScenes().Where(u => File.Exists(Paths.ScenePayload(u.Scene)))
            .GroupBy(u => u.Tile).Where(g => TileBlockedReason(g.Key) is null).SelectMany(g => g)
            .SelectMany(u => ScenePlan(u.Scene).Bands.Select(b =>
            {
                SafeName.Check(u.Scene, "scene id");
                SafeName.Check(b.BandName, $"band name of scene {u.Scene}");
                if (b.Filename != $"{u.Scene}.{b.BandName}.tif")
                    throw new InvalidDataException($"scene {u.Scene}: file name '{b.Filename}' of band {b.BandName} is not '{u.Scene}.{b.BandName}.tif'");
                return new SceneBand(u.Tile, u.Scene, b.BandName, b.Cid);
            }));

    /// <summary>Why a tile with selected scenes is not built: one of its scenes has no source for a band (null: it is built).</summary>
    public string? TileBlockedReason(string tile) =>
        TileScenes(tile).Select(s => s.Scene.SceneId).Order(StringComparer.Ordinal)
            .Where(s => File.Exists(Paths.ScenePayload(s))).Select(s => (s, Plan: ScenePlan(s)))
            .Where(x => !x.Plan.IsComplete).Select(x => $"tile {tile} not built: {x.Plan.MissingText(x.s)}").FirstOrDefault();

    /// <summary>Stages 8-9: the tile's selected scenes when every band of each has a source; empty otherwise.</summary>
    public IReadOnlyList<SelectedScene> TileScenesToBuild(string tile) => TileBlockedReason(tile) is null ? TileScenes(tile) : [];

    /// <summary>Stage 9: the record of every chip the chips stage ran for.</summary>
    public IReadOnlyList<ChipQa> ChipQa() =>
        ChipIds().Where(ch => File.Exists(Paths.ChipQa(ch))).Select(ch => WorkFile.Read<ChipQa>(Paths.ChipQa(ch))).ToList();

    public ChipQa ChipQa(string chip) => WorkFile.Read<ChipQa>(Paths.ChipQa(chip));

    /// <summary>Why a chip has no QA record: its tile was dropped, a download failed, or its unit failed.</summary>
    public string MissingChipReason(string chip, string tile)
    {
        if (tile.Length == 0) return "no tile assigned";
        if (TileScenes(tile).Count == 0) return $"tile {tile} has not enough usable scenes";
        if (TileBlockedReason(tile) is { } blocked) return blocked;
        return "a scene band could not be downloaded or warped (see the build log)";
    }

    /// <summary>Stage 10's rule (filter.max_bad_pct, filter.max_na_count).</summary>
    public ChipFilterRule FilterRule => new(c.Config.Filter.MaxBadPct, c.Config.Filter.MaxNaCount);

    /// <summary>Stage 10: tracking rows of the kept chips, from the tracking table (never a directory listing).</summary>
    public IReadOnlyList<ChipTrackingRow> KeptRows()
    {
        var rule = FilterRule;
        return File.Exists(Paths.TrackChipsCsv)
            ? TrackChipsCsv.Read(Paths.TrackChipsCsv).Where(rule.Keep).OrderBy(r => r.ChipId, StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>
    /// Stage 10: the same rows read from the per-chip QA records, the rule the filter units apply; this is what a shard
    /// has (it writes no track_chips.csv). Rows equal the table's: both use round-trip numbers.
    /// </summary>
    public IReadOnlyList<ChipTrackingRow> KeptQaRows()
    {
        var rule = FilterRule;
        return ChipQa().Where(q => q is { Built: true, Row: not null } && rule.Keep(q.Row))
            .Select(q => q.Row!).OrderBy(r => r.ChipId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Stage 11: the split as full chip ids (chip_RRR_CCC).</summary>
    public (IReadOnlyList<string> Train, IReadOnlyList<string> Validation) Split() =>
        (DatasetSplit.ReadIdCsv(Paths.TrainIds).Select(Dataset.Finishing.ChipIds.Full).Order(StringComparer.Ordinal).ToList(),
         DatasetSplit.ReadIdCsv(Paths.ValIds).Select(Dataset.Finishing.ChipIds.Full).Order(StringComparer.Ordinal).ToList());

    public SplitResult SplitResult()
    {
        var (train, val) = Split();
        return new SplitResult(train.Select(Dataset.Finishing.ChipIds.Short).ToList(), val.Select(Dataset.Finishing.ChipIds.Short).ToList(), [], []);
    }

    /// <summary>
    /// The dataset folder's files (relative paths; the manifest itself and .build/ aside), listed once and split into
    /// those a unit owns (the engine's stamps say which) and those no unit owns.
    /// </summary>
    public (IReadOnlyList<string> Owned, IReadOnlyList<string> Unowned) DatasetFiles()
    {
        var owned = Graph.BuildState.OwnedFiles(Paths.State);
        var all = DatasetManifest.ListFiles(Paths.Root).ToLookup(rel => owned.Contains(Path.Combine(Paths.Root, rel)));
        return (all[true].ToList(), all[false].ToList());
    }

    /// <summary>Stage 8: every scene band × chip row of the AOI's tiles (tiles, then rows, scenes and bands in order).</summary>
    public IEnumerable<StripUnit> StripUnits()
    {
        foreach (var (tile, chips) in ChipsByTile())
        {
            var scenes = TileScenesToBuild(tile);
            if (scenes.Count == 0) continue;
            foreach (var row in chips.GroupBy(ch => ChipId.Parse(ch).Row).OrderBy(g => g.Key))
                foreach (var scene in scenes.Select(s => s.Scene.SceneId).Distinct())
                    foreach (var band in c.SceneBands)
                        yield return new StripUnit(tile, scene, band, row.Key, row.Order(StringComparer.Ordinal).ToList());
        }
    }

    /// <summary>
    /// Stage 8 in download.mode ranges: per band CID, the whole size and the bytes of the distinct leaves the reproject
    /// units read (the union over the units: a leaf two chip rows share counts once, whichever unit warped the chunk
    /// that read it, so the figure does not depend on the order units ran in).
    /// </summary>
    public IReadOnlyDictionary<string, (long Size, long BytesRead)> RangeReadsByCid()
    {
        var leaves = new Dictionary<string, (long Size, Dictionary<long, long> Leaves)>(StringComparer.Ordinal);
        foreach (var u in StripUnits())
        {
            var path = Paths.RangeReads(u.Scene, u.Band, u.ChipRow);
            if (!File.Exists(path)) continue;
            var r = WorkFile.Read<RangeReads>(path);
            if (!leaves.TryGetValue(r.Cid, out var entry)) leaves[r.Cid] = entry = (r.Size, []);
            foreach (var l in r.Leaves) entry.Leaves[l[0]] = l[1];
        }
        return leaves.ToDictionary(kv => kv.Key, kv => (kv.Value.Size, kv.Value.Leaves.Values.Sum()), StringComparer.Ordinal);
    }

    /// <summary>Stages 12-13.</summary>
    public GlobalStats GlobalStats() => WorkFile.Read<GlobalStats>(Paths.GlobalStatsJson);

    public ClassWeights ClassWeights() => WorkFile.Read<ClassWeights>(Paths.ClassWeightsJson);
}
