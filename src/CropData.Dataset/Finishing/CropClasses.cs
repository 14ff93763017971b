namespace CropData.Dataset.Finishing;

/// <summary>One mask class: value, name (spec "13 classes") and the quicklook/report colour (#RRGGBB).</summary>
public sealed record CropClass(int Id, string Name, string Color);

/// <summary>
/// The 13 mask classes plus 0 (spec "13 classes (mask values)"). Colours are our own palette for quicklooks and charts,
/// borrowed from the USDA CDL colour of each class's main CDL code (Corn yellow, Soybeans green, Open Water blue, ...);
/// the mask files themselves carry the CDL colour table, whose entries do not describe the reclassed values.
/// </summary>
public static class CropClasses
{
    public const int Count = 14;

    public static readonly IReadOnlyList<CropClass> All =
    [
        new(0, "No Data", "#000000"),
        new(1, "Natural Vegetation", "#E8FFBF"),
        new(2, "Forest", "#93CC93"),
        new(3, "Corn", "#FFD300"),
        new(4, "Soybeans", "#267000"),
        new(5, "Wetlands", "#7CAFAF"),
        new(6, "Developed/Barren", "#9C9C9C"),
        new(7, "Open Water", "#4D70A3"),
        new(8, "Winter Wheat", "#A87000"),
        new(9, "Alfalfa", "#FFA5E2"),
        new(10, "Fallow/Idle Cropland", "#BFBF77"),
        new(11, "Cotton", "#FF2626"),
        new(12, "Sorghum", "#FF9E0B"),
        new(13, "Other", "#00AF4D"),
    ];

    public static string NameOf(int id) => id is >= 0 and < Count ? All[id].Name : $"invalid class {id}";

    /// <summary>The colour as (r, g, b) bytes.</summary>
    public static (byte R, byte G, byte B) Rgb(int id)
    {
        var c = All[id].Color;
        return (Convert.ToByte(c.Substring(1, 2), 16), Convert.ToByte(c.Substring(3, 2), 16), Convert.ToByte(c.Substring(5, 2), 16));
    }
}
