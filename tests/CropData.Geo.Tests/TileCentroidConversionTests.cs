namespace CropData.Geo.Tests;

/// <summary>
/// data/grid/s2_tile_centroids.csv is derived from the eodag shapefile; this regenerates it and checks the
/// committed file is exactly that. Set CROPDATA_REGENERATE_GRID=1 to rewrite the committed file instead.
/// </summary>
public class TileCentroidConversionTests
{
    [Fact]
    public void Committed_csv_equals_a_fresh_conversion_of_the_shapefile()
    {
        var zip = RepoPaths.Data(S2TileCentroids.ShapefileZipRelativePath);
        var committed = RepoPaths.Data(S2TileCentroids.CsvRelativePath);
        if (Environment.GetEnvironmentVariable("CROPDATA_REGENERATE_GRID") == "1")
            S2TileCentroids.ConvertShapefileZip(zip, committed);

        using var tmp = new TempDir();
        var fresh = tmp.File("s2_tile_centroids.csv");
        S2TileCentroids.ConvertShapefileZip(zip, fresh);
        Assert.True(File.Exists(committed), $"{committed} is missing: run this test with CROPDATA_REGENERATE_GRID=1");
        Assert.Equal(File.ReadAllBytes(fresh), File.ReadAllBytes(committed));
    }

    [Fact]
    public void Shapefile_holds_all_56686_centroids_with_known_positions()
    {
        var tiles = S2TileCentroids.ReadShapefileZip(RepoPaths.Data(S2TileCentroids.ShapefileZipRelativePath));
        Assert.Equal(56_686, tiles.Count);
        var spj = tiles.Single(t => t.TileId == "14SPJ");
        // Values read with ogrinfo from the same shapefile.
        Assert.Equal(-97.2050957134869, spj.Lon, 10);
        Assert.Equal(39.2411538332271, spj.Lat, 10);
    }

    [Fact]
    public void Csv_round_trips_at_its_fixed_precision()
    {
        var tiles = S2TileCentroids.ReadCsv(RepoPaths.Data(S2TileCentroids.CsvRelativePath));
        Assert.Equal(56_686, tiles.Count);
        var text = S2TileCentroids.ToCsv(tiles);
        Assert.Equal(File.ReadAllText(RepoPaths.Data(S2TileCentroids.CsvRelativePath)), text);
        Assert.StartsWith("tile_id,lon,lat\n01CCV,", text);
    }

    [Fact]
    public void Malformed_csv_line_is_named()
    {
        using var tmp = new TempDir();
        var p = tmp.File("bad.csv");
        File.WriteAllText(p, "tile_id,lon,lat\n14SPJ,-97.2,39.2\n14SPK,-97,2;39\n");
        var e = Assert.Throws<GeoInputException>(() => S2TileCentroids.ReadCsv(p));
        Assert.Contains("line 3", e.Message);
        Assert.Contains(p, e.Message);
    }
}
