using System.Globalization;

namespace CropData.Geo;

/// <summary>
/// What the user asked for in stage 1 (AOI): nothing (all chips), a GeoJSON file (AOI polygons or an exported
/// chip payload) or an inline EPSG:4326 bbox.
/// </summary>
public abstract record AoiSpec
{
    private protected AoiSpec() { }

    public static AoiSpec AllChips { get; } = new AllChipsAoi();

    public static AoiSpec FromFile(string path) => new FileAoi(path);

    public static AoiSpec FromBbox(double minX, double minY, double maxX, double maxY) =>
        new BboxAoi(minX, minY, maxX, maxY);

    /// <summary>A bbox given as a list [minx, miny, maxx, maxy] (e.g. from a YAML/JSON config).</summary>
    public static AoiSpec FromBbox(IReadOnlyList<double> bbox) =>
        bbox.Count == 4 ? new BboxAoi(bbox[0], bbox[1], bbox[2], bbox[3])
            : throw new GeoInputException(
                $"AOI bbox has {bbox.Count} numbers, expected 4: [minx, miny, maxx, maxy] in EPSG:4326 degrees");

    /// <summary>Parses "minx,miny,maxx,maxy", optionally in brackets, invariant culture (a '.' decimal point).</summary>
    public static AoiSpec ParseBbox(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('[') && t.EndsWith(']')) t = t[1..^1];
        var parts = t.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new GeoInputException(
                    $"AOI bbox '{text}': '{parts[i]}' is not a number; expected [minx, miny, maxx, maxy] in EPSG:4326 degrees, e.g. [-98.5, 38.0, -97.0, 39.2]");
        return FromBbox(values);
    }

    public abstract string Describe();
}

public sealed record AllChipsAoi : AoiSpec
{
    public override string Describe() => "no AOI (all chips)";
}

public sealed record FileAoi(string Path) : AoiSpec
{
    public override string Describe() => $"AOI file '{Path}'";
}

public sealed record BboxAoi : AoiSpec
{
    public double MinX { get; }
    public double MinY { get; }
    public double MaxX { get; }
    public double MaxY { get; }

    public BboxAoi(double minX, double minY, double maxX, double maxY)
    {
        var text = Format(minX, minY, maxX, maxY);
        foreach (var (name, v, limit) in new[] { ("minx", minX, 180.0), ("maxx", maxX, 180.0), ("miny", minY, 90.0), ("maxy", maxY, 90.0) })
            if (!double.IsFinite(v) || Math.Abs(v) > limit)
                throw new GeoInputException(
                    $"AOI bbox {text}: {name} = {v.ToString(CultureInfo.InvariantCulture)} is outside ±{limit.ToString(CultureInfo.InvariantCulture)}; expected EPSG:4326 degrees (longitude ±180, latitude ±90)");
        // min == max is rejected too: a zero-width box is a line, almost surely a typo for a real extent.
        if (minX >= maxX)
            throw new GeoInputException($"AOI bbox {text}: minx must be less than maxx (expected [minx, miny, maxx, maxy])");
        if (minY >= maxY)
            throw new GeoInputException($"AOI bbox {text}: miny must be less than maxy (expected [minx, miny, maxx, maxy])");
        (MinX, MinY, MaxX, MaxY) = (minX, minY, maxX, maxY);
    }

    public override string Describe() => $"AOI bbox {Format(MinX, MinY, MaxX, MaxY)}";

    private static string Format(double a, double b, double c, double d) =>
        string.Create(CultureInfo.InvariantCulture, $"[{a}, {b}, {c}, {d}]");
}
