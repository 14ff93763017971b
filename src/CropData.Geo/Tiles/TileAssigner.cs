using System.Globalization;
using CropData.Gdal;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CropData.Geo;

public enum TileAssignmentMode
{
    /// <summary>The original's rule (spec stage 2): the tile whose centroid is nearest the chip centre in EPSG:5070.</summary>
    NearestCentroid,

    /// <summary>
    /// Among the tiles whose (approximate) footprint fully contains the chip, the one whose centre is nearest;
    /// falls back to <see cref="NearestCentroid"/> with a warning when no footprint contains the chip.
    /// </summary>
    Containing,
}

/// <summary>One chip's tile: the row of <c>chip_tiles.csv</c>. ChipX/ChipY are the EPSG:4326 chip centre.</summary>
public sealed record ChipTile(string ChipId, double ChipX, double ChipY, string Tile);

/// <summary>A chip to which two assignments give different tiles.</summary>
public sealed record TileDifference(string ChipId, string TileA, string TileB);

/// <summary>How the two modes differ over a chip set.</summary>
public sealed record ModeComparison(int ChipCount, IReadOnlyList<TileDifference> Differences, IReadOnlyList<string> NotContainedChipIds)
{
    /// <summary>Chips that <c>containing</c> assigns to another tile than <c>nearest-centroid</c>.</summary>
    public int DifferentCount => Differences.Count;
}

/// <summary>
/// Stage 2 (chip → tile). Tile centroids are projected to EPSG:5070 once and indexed in an STR-tree, so a
/// chip costs one nearest-neighbour query (plus, in containing mode, a few footprint tests). Thread-safe: the
/// nearest-centroid path only reads the built tree; the footprint path, which uses PROJ transformations (not
/// thread-safe) and caches, runs under a lock.
/// </summary>
public sealed class TileAssigner : IDisposable
{
    /// <summary>Sentinel-2 tiles are 109.8 km squares in their UTM zone (spec "Grids and names").</summary>
    public const double TileSizeMetres = 109_800;

    // A tile can contain a chip only if the chip centre is within half a tile diagonal plus half a chip
    // diagonal of the tile centre (77.6 + 4.8 km in UTM); 100 km in EPSG:5070 leaves room for the few percent
    // by which the two projections' scales differ across CONUS.
    private const double CandidateRadiusMetres = 100_000;

    private readonly TileCentroid[] _tiles;
    private readonly MgrsTile[] _mgrs;
    private readonly double[] _x5070, _y5070;
    private readonly STRtree<int> _index = new();
    private readonly Dictionary<int, CoordinateTransform> _wgs84ToUtm = new();
    private readonly Dictionary<int, CoordinateTransform> _albersToUtm = new();
    private readonly Dictionary<int, Envelope?> _footprints = new();
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly List<string> _suspectTiles = [];
    private readonly object _gate = new();

    public IReadOnlyList<TileCentroid> Centroids => _tiles;

    /// <summary>
    /// Tiles whose centroid does not lie in its own UTM zone (projected easting outside 100-900 km), so no
    /// footprint can be built for them; containing mode never picks them. The eodag centroids have such
    /// defects, e.g. 01SBU whose centroid sits in Oklahoma: the wrong tile the original's notes warn about.
    /// </summary>
    public IReadOnlyList<string> SuspectTiles { get { lock (_gate) return _suspectTiles.ToList(); } }

    public TileAssigner(IReadOnlyList<TileCentroid> centroids)
    {
        _tiles = centroids.OrderBy(c => c.TileId, StringComparer.Ordinal).ToArray();
        _mgrs = _tiles.Select(t => MgrsTile.Parse(t.TileId)).ToArray();
        _x5070 = _tiles.Select(t => t.Lon).ToArray();
        _y5070 = _tiles.Select(t => t.Lat).ToArray();
        using (var toAlbers = CoordinateTransform.FromEpsg(4326, 5070))
            toAlbers.TransformInPlace(_x5070, _y5070);
        for (var i = 0; i < _tiles.Length; i++)
        {
            if (!_byId.TryAdd(_tiles[i].TileId, i))
                throw new GeoInputException($"tile {_tiles[i].TileId} appears twice in the tile centroids");
            if (double.IsFinite(_x5070[i]) && double.IsFinite(_y5070[i]))
                _index.Insert(new Envelope(_x5070[i], _x5070[i], _y5070[i], _y5070[i]), i);
        }
        _index.Build();
    }

    /// <summary>Reads the committed <c>data/grid/s2_tile_centroids.csv</c>.</summary>
    public static TileAssigner LoadFromRepo(string repoRoot) =>
        new(S2TileCentroids.ReadCsv(Path.Combine(repoRoot, S2TileCentroids.CsvRelativePath)));

    public static TileAssignmentMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "nearest-centroid" or "nearest_centroid" or "nearestcentroid" => TileAssignmentMode.NearestCentroid,
        "containing" => TileAssignmentMode.Containing,
        _ => throw new GeoInputException($"tile assignment mode '{text}' is unknown; expected 'nearest-centroid' (default) or 'containing'"),
    };

    public static string FormatMode(TileAssignmentMode mode) =>
        mode == TileAssignmentMode.Containing ? "containing" : "nearest-centroid";

    /// <summary>Assigns every chip a tile, sorted by chip id. <paramref name="warn"/> hears containing-mode fall-backs.</summary>
    public IReadOnlyList<ChipTile> Assign(IEnumerable<Chip> chips, TileAssignmentMode mode = TileAssignmentMode.NearestCentroid,
        Action<string>? warn = null)
    {
        var result = new List<ChipTile>();
        foreach (var chip in chips.DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            string tile;
            if (mode == TileAssignmentMode.Containing)
            {
                var containing = Containing(chip);
                if (containing is null)
                {
                    tile = NearestCentroid(chip);
                    warn?.Invoke($"chip {chip.Id}: no tile footprint contains it; fell back to the nearest-centroid tile {tile} (its pixels may be partly NA)");
                }
                else tile = containing;
            }
            else tile = NearestCentroid(chip);
            result.Add(new ChipTile(chip.Id, chip.Center4326.X, chip.Center4326.Y, tile));
        }
        return result;
    }

    /// <summary>The tile whose centroid is nearest the chip centre in EPSG:5070; ties go to the smaller tile id.</summary>
    public string NearestCentroid(Chip chip)
    {
        var c = chip.Center5070;
        var first = _index.NearestNeighbour(new Envelope(c), -1, new PointDistance());
        var d = Distance(first, c);
        // The tree returns one of several equidistant tiles arbitrarily; re-query the tie circle so the
        // answer does not depend on tree layout.
        var r = d * (1 + 1e-12) + 1e-6;
        var best = first;
        foreach (var i in _index.Query(new Envelope(c.X - r, c.X + r, c.Y - r, c.Y + r)))
            if (Better(i, Distance(i, c), best, Distance(best, c))) best = i;
        return _tiles[best].TileId;
    }

    /// <summary>
    /// Among tiles whose footprint fully contains the chip's EPSG:5070 square, the one whose centroid is nearest
    /// the chip centre (EPSG:5070); null when no footprint contains it.
    /// </summary>
    public string? Containing(Chip chip)
    {
        var c = chip.Center5070;
        var r = CandidateRadiusMetres;
        int? best = null;
        var bestD = double.PositiveInfinity;
        foreach (var i in _index.Query(new Envelope(c.X - r, c.X + r, c.Y - r, c.Y + r)))
        {
            bool inside;
            lock (_gate) inside = Contains(i, chip);
            if (!inside) continue;
            var d = Distance(i, c);
            if (best is null || Better(i, d, best.Value, bestD)) (best, bestD) = (i, d);
        }
        return best is { } b ? _tiles[b].TileId : null;
    }

    /// <summary>
    /// The footprint used by containing mode, in the tile's UTM zone (EPSG <see cref="MgrsTile.UtmEpsg"/>):
    /// a 109.8 km square centred on the tile centroid projected to that zone. Null for a suspect centroid.
    /// <para>
    /// This approximates the real MGRS tile square, whose corners sit on the UTM 100 km grid: the published
    /// centroid is the centroid of the tile's lon/lat outline, which projects back a few tens of metres from the
    /// square's true centre (measured for 13RCN against the real HLS Fmask geotransform: 2 m east, 46 m south;
    /// see the tests). So containment is decided to within about 50 m, under one percent of a chip side.
    /// </para>
    /// </summary>
    public Envelope? FootprintUtm(string tileId)
    {
        if (!_byId.TryGetValue(MgrsTile.Parse(tileId).Id, out var i))
            throw new GeoInputException($"tile {tileId} is not among the {_tiles.Length} tile centroids");
        lock (_gate) return Footprint(i)?.Copy();
    }

    /// <summary>True when the tile's footprint fully contains the chip's EPSG:5070 square.</summary>
    public bool FootprintContains(string tileId, Chip chip)
    {
        if (!_byId.TryGetValue(MgrsTile.Parse(tileId).Id, out var i))
            throw new GeoInputException($"tile {tileId} is not among the {_tiles.Length} tile centroids");
        lock (_gate) return Contains(i, chip);
    }

    /// <summary>Runs both modes over <paramref name="chips"/> and lists the chips they assign differently.</summary>
    public ModeComparison CompareModes(IEnumerable<Chip> chips)
    {
        var list = chips.DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var notContained = new List<string>();
        var containing = Assign(list, TileAssignmentMode.Containing, _ => { });
        foreach (var chip in list) if (Containing(chip) is null) notContained.Add(chip.Id);
        var nearest = Assign(list, TileAssignmentMode.NearestCentroid);
        return new ModeComparison(list.Count, Compare(nearest, containing), notContained);
    }

    /// <summary>Chips present in both assignments whose tiles differ, sorted by chip id.</summary>
    public static IReadOnlyList<TileDifference> Compare(IEnumerable<ChipTile> a, IEnumerable<ChipTile> b)
    {
        var bById = b.GroupBy(t => t.ChipId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Tile, StringComparer.Ordinal);
        return a.Where(t => bById.TryGetValue(t.ChipId, out var other) && other != t.Tile)
            .Select(t => new TileDifference(t.ChipId, t.Tile, bById[t.ChipId]))
            .DistinctBy(d => d.ChipId)
            .OrderBy(d => d.ChipId, StringComparer.Ordinal)
            .ToList();
    }

    private bool Better(int i, double di, int j, double dj) =>
        di < dj || (di == dj && string.CompareOrdinal(_tiles[i].TileId, _tiles[j].TileId) < 0);

    private double Distance(int i, Coordinate c)
    {
        var dx = _x5070[i] - c.X;
        var dy = _y5070[i] - c.Y;
        return Math.Sqrt(dx * dx + dy * dy);
    }

    private bool Contains(int i, Chip chip)
    {
        if (Footprint(i) is not { } square) return false;
        var toUtm = Transform(_albersToUtm, 5070, _mgrs[i].UtmEpsg);
        var (xs, ys) = DensifiedOutline(chip.Position.Envelope5070, 8);
        try { toUtm.TransformInPlace(xs, ys); }
        catch (GdalException) { return false; }
        for (var k = 0; k < xs.Length; k++)
            if (!square.Contains(xs[k], ys[k])) return false;
        return true;
    }

    private Envelope? Footprint(int i)
    {
        if (_footprints.TryGetValue(i, out var cached)) return cached;
        var square = Square(_tiles[i], _mgrs[i], Transform(_wgs84ToUtm, 4326, _mgrs[i].UtmEpsg));
        if (square is null) _suspectTiles.Add(_tiles[i].TileId);
        _footprints[i] = square;
        return square;
    }

    /// <summary>
    /// One tile's 109.8 km square in its UTM zone from its centroid alone, without building the index of every tile
    /// (what a report needs for the few tiles it draws); null when the centroid does not belong to its id.
    /// </summary>
    public static Envelope? FootprintUtm(TileCentroid centroid)
    {
        var m = MgrsTile.Parse(centroid.TileId);
        using var toUtm = CoordinateTransform.FromEpsg(4326, m.UtmEpsg);
        return Square(centroid, m, toUtm);
    }

    private static Envelope? Square(TileCentroid t, MgrsTile m, CoordinateTransform toUtm)
    {
        try
        {
            var (x, y) = toUtm.Transform(t.Lon, t.Lat);
            // A real tile centre lies 100-900 km east and (north) 0-9,400 km / (south) 1,000-10,000 km north
            // in its own zone; anything else means the centroid does not belong to its id.
            var northOk = m.IsNorth ? y is >= 0 and <= 9_400_000 : y is >= 1_000_000 and <= 10_000_000;
            if (x is >= 100_000 and <= 900_000 && northOk)
                return new Envelope(x - TileSizeMetres / 2, x + TileSizeMetres / 2, y - TileSizeMetres / 2, y + TileSizeMetres / 2);
        }
        catch (GdalException) { }
        return null;
    }

    private static CoordinateTransform Transform(Dictionary<int, CoordinateTransform> cache, int from, int to)
    {
        if (!cache.TryGetValue(to, out var t)) cache[to] = t = CoordinateTransform.FromEpsg(from, to);
        return t;
    }

    /// <summary>The square's outline with each side cut into <paramref name="perSide"/> segments: a straight
    /// EPSG:5070 edge is slightly curved in UTM, so corners alone could miss a bulge past the tile edge.</summary>
    private static (double[] Xs, double[] Ys) DensifiedOutline(Envelope e, int perSide)
    {
        var xs = new double[4 * perSide];
        var ys = new double[4 * perSide];
        for (var k = 0; k < perSide; k++)
        {
            var f = (double)k / perSide;
            (xs[k], ys[k]) = (e.MinX + f * e.Width, e.MinY);
            (xs[perSide + k], ys[perSide + k]) = (e.MaxX, e.MinY + f * e.Height);
            (xs[2 * perSide + k], ys[2 * perSide + k]) = (e.MaxX - f * e.Width, e.MaxY);
            (xs[3 * perSide + k], ys[3 * perSide + k]) = (e.MinX, e.MaxY - f * e.Height);
        }
        return (xs, ys);
    }

    private sealed class PointDistance : IItemDistance<Envelope, int>
    {
        public double Distance(IBoundable<Envelope, int> item1, IBoundable<Envelope, int> item2) =>
            item1.Bounds.Distance(item2.Bounds);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var t in _wgs84ToUtm.Values.Concat(_albersToUtm.Values)) t.Dispose();
            _wgs84ToUtm.Clear();
            _albersToUtm.Clear();
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"TileAssigner({_tiles.Length} tiles)");
}
