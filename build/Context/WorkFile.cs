using System.Text.Json;
using System.Text.Json.Serialization;

namespace CropData.Build.Context;

/// <summary>
/// Small JSON files that pass one unit's result to the units downstream (a chip's tile, a tile's scenes, a
/// chip's QA row). Deterministic bytes: fixed property order, invariant numbers, LF, no timestamps.
/// </summary>
public static class WorkFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NewLine = "\n",
    };

    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Options) + "\n");
    }

    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                   ?? throw new InvalidDataException($"'{path}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid {typeof(T).Name} file: {e.Message}", e);
        }
    }
}
