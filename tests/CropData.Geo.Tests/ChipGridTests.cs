namespace CropData.Geo.Tests;

[Collection("grid")]
public class ChipGridTests(GridFixture f)
{
    [Fact]
    public void Loads_the_5000_published_chips_sorted_by_id()
    {
        Assert.Equal(5000, f.Grid.Count);
        var ids = f.Grid.Chips.Select(c => c.Id).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(5000, ids.Distinct().Count());
    }

    [Fact]
    public void Chip_square_follows_the_spec_formula()
    {
        // Spec "Grids and names": chip_184_236 → x ∈ [-770175, -763455], y ∈ [1929405, 1936125].
        var c = f.Grid["chip_184_236"];
        var e = c.Footprint5070.EnvelopeInternal;
        Assert.Equal((-770175.0, -763455.0, 1929405.0, 1936125.0), (e.MinX, e.MaxX, e.MinY, e.MaxY));
        Assert.Equal((-766815.0, 1932765.0), (c.Center5070.X, c.Center5070.Y));
        Assert.Equal(-105.08568737338979, c.Center4326.X, 12);
        Assert.Equal(40.081250517633606, c.Center4326.Y, 12);
        Assert.Equal(new ChipId(184, 236), c.Position);
    }

    [Theory]
    [InlineData("chip_184_236", true)]
    [InlineData("chip_84_236", false)]
    [InlineData("chip_184-236", false)]
    [InlineData("tile_184_236", false)]
    [InlineData("chip_18a_236", false)]
    public void Chip_ids_parse_strictly(string id, bool ok)
    {
        Assert.Equal(ok, ChipId.TryParse(id, out var c));
        if (ok) Assert.Equal(id, c.ToString());
    }

    [Fact]
    public void Grid_files_that_disagree_with_the_id_convention_are_rejected()
    {
        using var tmp = new TempDir();
        var wgs = tmp.File("chip_bbox.geojson");
        var albers = tmp.File("chip_bbox_5070.geojson");
        File.Copy(RepoPaths.Data(ChipGrid.Wgs84RelativePath), wgs);
        // Shift the west edge of column 236 by one CDL pixel; chip_184_236 is the file's first feature.
        var text = File.ReadAllText(RepoPaths.Data(ChipGrid.Albers5070RelativePath));
        Assert.Contains("[[[[-770175.0, 1936125.0], [-770175.0, 1929405.0]", text);
        File.WriteAllText(albers, text.Replace("-770175.0,", "-770145.0,"));
        var e = Assert.Throws<GeoInputException>(() => ChipGrid.Load(wgs, albers));
        Assert.Contains("chip_184_236", e.Message);
        Assert.Contains(albers, e.Message);
    }
}
