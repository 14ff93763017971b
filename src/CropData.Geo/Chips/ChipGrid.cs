using System.Diagnostics.CodeAnalysis;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CropData.Geo;

/// <summary>
/// The pre-generated chip set (spec "Grids and names"): the 5,000 chips of <c>data/grid/chip_bbox.geojson</c>
/// (EPSG:4326) joined with <c>chip_bbox_5070.geojson</c> by id. Chips are held sorted by id.
/// </summary>
public sealed class ChipGrid
{
    public const string Wgs84RelativePath = "data/grid/chip_bbox.geojson";
    public const string Albers5070RelativePath = "data/grid/chip_bbox_5070.geojson";

    private readonly Dictionary<string, Chip> _byId;
    private readonly STRtree<Chip> _index4326 = new();

    public IReadOnlyList<Chip> Chips { get; }

    private ChipGrid(List<Chip> chips)
    {
        chips.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        Chips = chips;
        _byId = chips.ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (var c in chips) _index4326.Insert(c.Footprint4326.EnvelopeInternal, c);
        _index4326.Build();
    }

    /// <summary>Loads the chip grid committed under <paramref name="repoRoot"/>.</summary>
    public static ChipGrid LoadFromRepo(string repoRoot) =>
        Load(Path.Combine(repoRoot, Wgs84RelativePath), Path.Combine(repoRoot, Albers5070RelativePath));

    /// <summary>
    /// Loads and cross-checks both published files: same ids, and each 5070 footprint equal to the square its id
    /// encodes (a mismatch would mean the files and the id convention disagree, and every later stage would cut
    /// the wrong pixels).
    /// </summary>
    public static ChipGrid Load(string chipBbox4326Path, string chipBbox5070Path)
    {
        var wgs = ReadChipFile(chipBbox4326Path);
        var albers = ReadChipFile(chipBbox5070Path);
        var chips = new List<Chip>(wgs.Count);
        foreach (var (id, (geometry, center)) in wgs)
        {
            if (!albers.TryGetValue(id, out var a))
                throw new GeoInputException($"chip {id} is in '{chipBbox4326Path}' but not in '{chipBbox5070Path}'");
            var pos = ChipId.Parse(id);
            var env = pos.Envelope5070;
            var published = a.Geometry.EnvelopeInternal;
            if (!NearlyEqual(published, env, 0.01) || Math.Abs(a.Geometry.Area - env.Area) > 1)
                throw new GeoInputException(
                    $"chip {id} in '{chipBbox5070Path}' has footprint {published}, expected the grid square {env} " +
                    "(x = -2356095 + col*6720, y = 3172605 - row*6720)");
            chips.Add(new Chip
            {
                Id = id,
                Position = pos,
                Footprint4326 = geometry,
                Footprint5070 = (Polygon)GeoJson.Factory.ToGeometry(env),
                Center4326 = center,
                Center5070 = pos.Center5070,
            });
        }
        foreach (var id in albers.Keys)
            if (!wgs.ContainsKey(id))
                throw new GeoInputException($"chip {id} is in '{chipBbox5070Path}' but not in '{chipBbox4326Path}'");
        if (chips.Count == 0) throw new GeoInputException($"'{chipBbox4326Path}' holds no chips");
        return new ChipGrid(chips);
    }

    public int Count => Chips.Count;

    public Chip this[string id] => TryGet(id, out var c) ? c
        : throw new GeoInputException($"chip '{id}' is not in the chip grid ({Count} chips)");

    public bool TryGet(string id, [NotNullWhen(true)] out Chip? chip) => _byId.TryGetValue(id, out chip);

    /// <summary>Chips whose EPSG:4326 footprint envelope intersects <paramref name="envelope"/> (a pre-filter).</summary>
    public IList<Chip> Candidates4326(Envelope envelope) => _index4326.Query(envelope);

    /// <summary>Envelope of all chip footprints in EPSG:4326.</summary>
    public Envelope Extent4326
    {
        get
        {
            var e = new Envelope();
            foreach (var c in Chips) e.ExpandToInclude(c.Footprint4326.EnvelopeInternal);
            return e;
        }
    }

    private static bool NearlyEqual(Envelope a, Envelope b, double tol) =>
        Math.Abs(a.MinX - b.MinX) <= tol && Math.Abs(a.MaxX - b.MaxX) <= tol &&
        Math.Abs(a.MinY - b.MinY) <= tol && Math.Abs(a.MaxY - b.MaxY) <= tol;

    private static Dictionary<string, (Geometry Geometry, Coordinate Center)> ReadChipFile(string path)
    {
        using var doc = GeoJson.ParseFile(path, "chip grid file");
        var fc = GeoJson.Deserialize<FeatureCollection>(doc.RootElement, path, "chip grid file");
        var result = new Dictionary<string, (Geometry, Coordinate)>(fc.Count, StringComparer.Ordinal);
        for (var i = 0; i < fc.Count; i++)
        {
            var f = fc[i];
            if (!GeoJson.TryGet<string>(f.Attributes, "id", out var id) || !ChipId.TryParse(id, out _))
                throw new GeoInputException($"feature {i} of chip grid file '{path}' has no chip id property 'id' (chip_RRR_CCC)");
            if (!GeoJson.TryGet<double[]>(f.Attributes, "center", out var center) || center is not { Length: 2 })
                throw new GeoInputException($"chip {id} in '{path}' has no 'center' property [x, y]");
            if (f.Geometry is not (Polygon or MultiPolygon) || f.Geometry.IsEmpty)
                throw new GeoInputException($"chip {id} in '{path}' has geometry {f.Geometry?.GeometryType ?? "null"}, expected a (Multi)Polygon");
            if (!result.TryAdd(id, (f.Geometry, new Coordinate(center[0], center[1]))))
                throw new GeoInputException($"chip {id} appears twice in '{path}'");
        }
        return result;
    }
}
