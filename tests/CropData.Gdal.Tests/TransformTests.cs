using CropData.Gdal;

namespace CropData.Gdal.Tests;

public class TransformTests
{
    [Fact]
    public void Wgs84_to_conus_albers_matches_known_point()
    {
        // Origin of EPSG:5070 is (lon -96, lat 23) → (0, 0).
        using var t = CoordinateTransform.FromEpsg(4326, 5070);
        var (x, y) = t.Transform(-96, 23);
        Assert.Equal(0, x, 6);
        Assert.Equal(0, y, 6);
    }

    [Fact]
    public void Epsg_code_round_trips()
    {
        using var s = SpatialReference.FromUserInput("EPSG:32614");
        Assert.Equal(32614, s.Epsg);
    }

    [Fact]
    public void Unknown_crs_gives_clear_error()
    {
        var e = Assert.Throws<GdalException>(() => SpatialReference.FromUserInput("EPSG:999999"));
        Assert.Contains("EPSG:999999", e.Message);
    }
}
