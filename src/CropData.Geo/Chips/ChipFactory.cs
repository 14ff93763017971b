using CropData.Gdal;
using NetTopologySuite.Geometries;

namespace CropData.Geo;

/// <summary>
/// Chips that are not among the 5,000 pre-generated ones: a chip id encodes its square on the CDL grid
/// (spec "Grids and names"), so its footprint follows from the id alone; the EPSG:4326 footprint is the
/// 5070 square's corners and edge points transformed through PROJ.
/// </summary>
public static class ChipFactory
{
    // Points per square edge for the 4326 outline: the Albers square's edges are not straight in lon/lat.
    private const int PointsPerEdge = 8;

    public static Chip FromId(string id)
    {
        var pos = ChipId.Parse(id);
        var env = pos.Envelope5070;
        var ring = Densify(env, PointsPerEdge);
        var xs = ring.Select(p => p.X).Append(pos.Center5070.X).ToArray();
        var ys = ring.Select(p => p.Y).Append(pos.Center5070.Y).ToArray();
        using (var transform = CoordinateTransform.FromEpsg(5070, 4326)) transform.TransformInPlace(xs, ys);
        var coords = Enumerable.Range(0, ring.Count).Select(i => new Coordinate(xs[i], ys[i])).ToList();
        coords.Add(coords[0]);
        return new Chip
        {
            Id = pos.ToString(),
            Position = pos,
            Footprint4326 = GeoJson.Factory.CreatePolygon(coords.ToArray()),
            Footprint5070 = (Polygon)GeoJson.Factory.ToGeometry(env),
            Center4326 = new Coordinate(xs[^1], ys[^1]),
            Center5070 = pos.Center5070,
        };
    }

    /// <summary>
    /// The outline of an axis-aligned square, <paramref name="perEdge"/> points per edge (clockwise from the
    /// upper-left corner, not closed): straight edges in one CRS bend in another, so transform every point.
    /// </summary>
    public static List<(double X, double Y)> Densify(Envelope env, int perEdge)
    {
        var ring = new List<(double X, double Y)>(4 * perEdge);
        for (int side = 0; side < 4; side++)
        {
            for (int i = 0; i < perEdge; i++)
            {
                double t = (double)i / perEdge;
                ring.Add(side switch
                {
                    0 => (env.MinX + t * env.Width, env.MaxY),
                    1 => (env.MaxX, env.MaxY - t * env.Height),
                    2 => (env.MaxX - t * env.Width, env.MinY),
                    _ => (env.MinX, env.MinY + t * env.Height),
                });
            }
        }
        return ring;
    }

    /// <summary>The grid's chip when it has one (keeps the published footprint), else a chip built from the id.</summary>
    public static Chip Resolve(ChipGrid grid, string id) => grid.TryGet(id, out var chip) ? chip : FromId(id);
}
