namespace CropData.Dataset.Scenes;

/// <summary>The knobs of spec stages 4-5. Defaults are the published pipeline's.</summary>
public sealed record SelectionRules
{
    /// <summary>Keep scenes whose integer cloud cover is ≤ this (spec stage 4, default 5).</summary>
    public int CloudCoverThreshold { get; init; } = 5;

    /// <summary>Spatial-coverage thresholds tried in order; the first leaving <see cref="Needed"/> scenes wins.</summary>
    public IReadOnlyList<int> CoverageThresholds { get; init; } = [100, 90, 80, 70, 60, 50];

    public int MinScenes { get; init; } = 3;

    /// <summary>Dates per chip (<c>selection.scenes_per_chip</c>): evenly spaced picks, 3 = first, middle, last.</summary>
    public int ScenesPerChip { get; init; } = 3;

    /// <summary>A tile needs at least this many scenes: the configured minimum, and never fewer than a chip's dates.</summary>
    public int Needed => Math.Max(MinScenes, ScenesPerChip);

    public static SelectionRules Default { get; } = new();
}

/// <summary>What the rules made of one tile: the chosen scenes, or why the tile was dropped.</summary>
public sealed record TileSelection(
    string TileId,
    int CandidateCount,
    int AfterCloudCount,
    int? CoverageThreshold,
    int AfterCoverageCount,
    IReadOnlyList<SelectedScene> Scenes,
    string? DropReason)
{
    public bool IsSelected => Scenes.Count > 0;
}

/// <summary>Spec stages 4 (filter) and 5 (select) as pure functions.</summary>
public static class SceneSelector
{
    /// <summary>
    /// Selects <see cref="SelectionRules.ScenesPerChip"/> scenes by date of one tile, evenly spaced (see <see cref="Picks"/>):
    /// for 3, the first, middle (element n // 2) and last scene.
    /// Same-date scenes are ordered by scene id (the original's unstable sort left them arbitrary).
    /// A scene listed twice (the original concatenated overlapping tiles' searches) counts once.
    /// </summary>
    public static TileSelection SelectTile(string tileId, IEnumerable<SceneRecord> candidates, SelectionRules? rules = null)
    {
        rules ??= SelectionRules.Default;
        if (rules.MinScenes < 1) throw new ArgumentException($"MinScenes must be ≥ 1, was {rules.MinScenes}", nameof(rules));
        if (rules.ScenesPerChip < 1) throw new ArgumentException($"ScenesPerChip must be ≥ 1, was {rules.ScenesPerChip}", nameof(rules));
        var tile = HlsNames.NormalizeTile(tileId);
        var all = new List<SceneRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in candidates.OrderBy(s => s.SceneId, StringComparer.Ordinal))
        {
            if (!string.Equals(HlsNames.NormalizeTile(s.TileId), tile, StringComparison.Ordinal))
                throw new ArgumentException($"scene {s.SceneId} belongs to tile {s.TileId}, not to tile {tile}", nameof(candidates));
            if (seen.Add(s.SceneId)) all.Add(s);
        }

        var cloudKept = all.Where(s => s.CloudCover <= rules.CloudCoverThreshold).ToList();
        foreach (var threshold in rules.CoverageThresholds)
        {
            var kept = cloudKept.Where(s => s.SpatialCover >= threshold).ToList();
            if (kept.Count < rules.Needed) continue;
            var sorted = kept.OrderBy(s => s.Date).ThenBy(s => s.SceneId, StringComparer.Ordinal).ToList();
            var chosen = Picks(sorted.Count, rules.ScenesPerChip).Select((at, slot) => new SelectedScene(tile, new SceneSlot(slot), sorted[at])).ToArray();
            return new TileSelection(tile, all.Count, cloudKept.Count, threshold, kept.Count, chosen, null);
        }

        var lowest = rules.CoverageThresholds.Count > 0 ? rules.CoverageThresholds.Min() : 0;
        var reachingLowest = cloudKept.Count(s => s.SpatialCover >= lowest);
        var reason = all.Count == 0
            ? "no scenes found"
            : $"only {reachingLowest} of {all.Count} scenes have cloud cover ≤ {rules.CloudCoverThreshold} and spatial coverage ≥ {lowest} % " +
              $"({cloudKept.Count} pass the cloud filter); {rules.Needed} are needed";
        return new TileSelection(tile, all.Count, cloudKept.Count, null, 0, [], reason);
    }

    /// <summary>
    /// The positions of <paramref name="dates"/> evenly spaced picks among <paramref name="n"/> ≥ dates scenes in date
    /// order: pick i is element floor(i · n / (dates − 1)), the last one n − 1. For 3 that is 0, n // 2 and n − 1 — the
    /// original's first, middle (its code's n // 2, not its prose) and last; one date takes the middle.
    /// </summary>
    public static IReadOnlyList<int> Picks(int n, int dates)
    {
        if (dates < 1 || n < dates) throw new ArgumentOutOfRangeException(nameof(n), $"{dates} picks among {n} scenes");
        if (dates == 1) return [n / 2];
        return Enumerable.Range(0, dates).Select(i => i == dates - 1 ? n - 1 : (int)((long)i * n / (dates - 1))).ToArray();
    }

    /// <summary>Runs <see cref="SelectTile"/> for every tile present in <paramref name="candidates"/>, tiles in ordinal order.</summary>
    public static IReadOnlyList<TileSelection> SelectAll(IEnumerable<SceneRecord> candidates, SelectionRules? rules = null) =>
        candidates.GroupBy(s => HlsNames.NormalizeTile(s.TileId), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SelectTile(g.Key, g, rules))
            .ToList();
}
