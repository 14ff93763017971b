namespace CropData.Dataset.Scenes;

/// <summary>
/// One HLS S30 scene as discovered from its UMM-G metadata (spec stage 3): the facts the selection rules need
/// and the per-band links that later stages download. Tile ids are canonical (no leading 'T', e.g. "14SPJ").
/// </summary>
public sealed record SceneRecord(
    string SceneId,
    string TileId,
    DateOnly Date,
    int CloudCover,
    int SpatialCover,
    IReadOnlyDictionary<string, string> HttpsLinks,
    IReadOnlyDictionary<string, string> S3Links)
{
    /// <summary>Band → the checksum the UMM-G states for that band's file (absent bands have none). Not a CSV column:
    /// the search stage keeps it in a per-tile record beside its candidates.</summary>
    public IReadOnlyDictionary<string, FileChecksum> Checksums { get; init; } = new SortedDictionary<string, FileChecksum>(StringComparer.Ordinal);

    public static SceneRecord Create(string sceneId, DateOnly date, int cloudCover, int spatialCover,
        IEnumerable<KeyValuePair<string, string>> httpsLinks, IEnumerable<KeyValuePair<string, string>> s3Links) =>
        new(sceneId, HlsNames.TileOfScene(sceneId), date, cloudCover, spatialCover,
            new SortedDictionary<string, string>(httpsLinks.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, string>(s3Links.ToDictionary(), StringComparer.Ordinal));
}

/// <summary>A scene (or tile) that could not be used, with what was wrong; reported instead of crashing.</summary>
public sealed record SceneIssue(string TileId, string SceneId, string Problem);

/// <summary>
/// Which date of a chip a selected scene fills (spec stage 5): its 0-based position among the tile's
/// <c>selection.scenes_per_chip</c> dates. With three dates (the published dataset) the slots are named first,
/// middle and last; with any other count date1 … dateN.
/// </summary>
public readonly record struct SceneSlot(int Index) : IComparable<SceneSlot>
{
    public static SceneSlot First => new(0);
    public static SceneSlot Middle => new(1);
    public static SceneSlot Last => new(2);

    public int CompareTo(SceneSlot other) => Index.CompareTo(other.Index);

    public override string ToString() => Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record SelectedScene(string TileId, SceneSlot Slot, SceneRecord Scene);

public static class SceneSlots
{
    private static readonly string[] Three = ["first", "middle", "last"];

    /// <summary>The slot's name when a chip has <paramref name="dates"/> dates.</summary>
    public static string Name(SceneSlot slot, int dates) =>
        slot.Index < 0 || slot.Index >= dates ? throw new ArgumentOutOfRangeException(nameof(slot), slot.Index, $"a chip of {dates} dates has no such slot")
        : dates == 3 ? Three[slot.Index]
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"date{slot.Index + 1}");

    public static SceneSlot Parse(string name)
    {
        int three = Array.IndexOf(Three, name);
        if (three >= 0) return new SceneSlot(three);
        if (name.StartsWith("date", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
            return new SceneSlot(n - 1);
        throw new FormatException($"scene slot '{name}' is not one of first, middle, last or date1, date2, …");
    }
}
