using System.Globalization;
using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Esri;

namespace CropData.Geo;

/// <summary>A Sentinel-2 (MGRS) tile id without the leading T, and its published centroid in EPSG:4326.</summary>
public sealed record TileCentroid(string TileId, double Lon, double Lat);

/// <summary>
/// The Sentinel-2 tile centroids: converted once from the eodag shapefile
/// (<c>data/reference/s2grid/sentinel2_tiling_grid_centroids.zip</c>) into the compact committed
/// <c>data/grid/s2_tile_centroids.csv</c>, which the tile assignment reads.
/// </summary>
public static class S2TileCentroids
{
    public const string ShapefileZipRelativePath = "data/reference/s2grid/sentinel2_tiling_grid_centroids.zip";
    public const string CsvRelativePath = "data/grid/s2_tile_centroids.csv";
    private const string Header = "tile_id,lon,lat";

    /// <summary>
    /// 1e-7 degree is about 1 cm: far below the centroids' own accuracy (tens of metres) yet it keeps
    /// nearest-centroid near-ties resolved as with the full-precision shapefile.
    /// </summary>
    public const int Decimals = 7;

    /// <summary>Regenerates the committed CSV from the shapefile zip (the documented, rerunnable conversion).</summary>
    public static void ConvertShapefileZip(string zipPath, string csvPath)
    {
        var text = ToCsv(ReadShapefileZip(zipPath));
        File.WriteAllText(csvPath, text, new UTF8Encoding(false));
    }

    /// <summary>Reads the point shapefile (WGS84, field <c>tile_id</c>) straight from its zip.</summary>
    public static IReadOnlyList<TileCentroid> ReadShapefileZip(string zipPath)
    {
        if (!File.Exists(zipPath)) throw new GeoInputException($"Sentinel-2 centroid shapefile zip '{zipPath}' does not exist");
        using var zip = ZipFile.OpenRead(zipPath);
        MemoryStream Entry(string ext)
        {
            var e = zip.Entries.SingleOrDefault(x => x.FullName.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
                ?? throw new GeoInputException($"'{zipPath}' holds no {ext} file; expected a point shapefile (.shp, .dbf)");
            var ms = new MemoryStream();
            using (var s = e.Open()) s.CopyTo(ms);
            ms.Position = 0;
            return ms;
        }
        using var shp = Entry(".shp");
        using var dbf = Entry(".dbf");
        var result = new List<TileCentroid>();
        foreach (var f in Shapefile.ReadAllFeatures(shp, dbf))
        {
            if (f.Geometry is not Point p)
                throw new GeoInputException($"'{zipPath}': a feature has geometry {f.Geometry?.GeometryType}; expected Point");
            var id = f.Attributes["tile_id"] as string;
            if (!MgrsTile.TryParse(id, out var tile))
                throw new GeoInputException($"'{zipPath}': tile_id '{id}' is not an MGRS tile id like 14SPJ");
            result.Add(new TileCentroid(tile.Id, p.X, p.Y));
        }
        return Sorted(result, zipPath);
    }

    public static string ToCsv(IEnumerable<TileCentroid> centroids)
    {
        var sb = new StringBuilder();
        sb.Append(Header).Append('\n');
        var fmt = "F" + Decimals.ToString(CultureInfo.InvariantCulture);
        foreach (var c in centroids.OrderBy(c => c.TileId, StringComparer.Ordinal))
            sb.Append(c.TileId).Append(',')
              .Append(c.Lon.ToString(fmt, CultureInfo.InvariantCulture)).Append(',')
              .Append(c.Lat.ToString(fmt, CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    public static IReadOnlyList<TileCentroid> ReadCsv(string path)
    {
        if (!File.Exists(path))
            throw new GeoInputException(
                $"tile centroid file '{path}' does not exist; regenerate it with S2TileCentroids.ConvertShapefileZip from '{ShapefileZipRelativePath}'");
        var result = new List<TileCentroid>();
        using var r = new StreamReader(path);
        var header = r.ReadLine();
        if (header != Header) throw new GeoInputException($"'{path}' starts with '{header}', expected header '{Header}'");
        var n = 1;
        while (r.ReadLine() is { } line)
        {
            n++;
            if (line.Length == 0) continue;
            var parts = line.Split(',');
            if (parts.Length != 3 || !MgrsTile.TryParse(parts[0], out var tile) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) ||
                !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
                Math.Abs(lon) > 180 || Math.Abs(lat) > 90)
                throw new GeoInputException($"'{path}' line {n}: '{line}' is not 'tile_id,lon,lat' (e.g. 14SPJ,-97.2050957,39.2411538)");
            result.Add(new TileCentroid(tile.Id, lon, lat));
        }
        return Sorted(result, path);
    }

    private static IReadOnlyList<TileCentroid> Sorted(List<TileCentroid> list, string source)
    {
        list.Sort((a, b) => string.CompareOrdinal(a.TileId, b.TileId));
        for (var i = 1; i < list.Count; i++)
            if (list[i].TileId == list[i - 1].TileId)
                throw new GeoInputException($"'{source}' lists tile {list[i].TileId} twice");
        if (list.Count == 0) throw new GeoInputException($"'{source}' holds no tile centroid");
        return list;
    }
}
