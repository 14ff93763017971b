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
    public static SceneRecord Create(string sceneId, DateOnly date, int cloudCover, int spatialCover,
        IEnumerable<KeyValuePair<string, string>> httpsLinks, IEnumerable<KeyValuePair<string, string>> s3Links) =>
        new(sceneId, HlsNames.TileOfScene(sceneId), date, cloudCover, spatialCover,
            new SortedDictionary<string, string>(httpsLinks.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, string>(s3Links.ToDictionary(), StringComparer.Ordinal));
}

/// <summary>A scene (or tile) that could not be used, with what was wrong; reported instead of crashing.</summary>
public sealed record SceneIssue(string TileId, string SceneId, string Problem);

/// <summary>Which of the three dates a selected scene fills (spec stage 5).</summary>
public enum SceneSlot { First = 0, Middle = 1, Last = 2 }

public sealed record SelectedScene(string TileId, SceneSlot Slot, SceneRecord Scene);

public static class SceneSlots
{
    public static string Name(SceneSlot slot) => slot switch
    {
        SceneSlot.First => "first",
        SceneSlot.Middle => "middle",
        SceneSlot.Last => "last",
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "unknown scene slot"),
    };

    public static SceneSlot Parse(string name) => name switch
    {
        "first" => SceneSlot.First,
        "middle" => SceneSlot.Middle,
        "last" => SceneSlot.Last,
        _ => throw new FormatException($"scene slot '{name}' is not one of first, middle, last"),
    };
}
