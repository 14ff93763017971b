using System.Text;

namespace CropData.Geo.Tests;

[Collection("grid")]
public class AoiTests(GridFixture f)
{
    private ChipGrid Grid => f.Grid;

    private static string Write(TempDir tmp, string name, string json)
    {
        var p = tmp.File(name);
        File.WriteAllText(p, json);
        return p;
    }

    // A box around the three reference chips inside the Kansas CDL clip (chip_202_336, chip_203_335, chip_203_337).
    private const string KansasRing = "[[-97.26,39.22],[-96.98,39.22],[-96.98,39.33],[-97.26,39.33],[-97.26,39.22]]";

    [Fact]
    public void No_aoi_selects_all_5000_chips()
    {
        var s = AoiSelector.Select(Grid, AoiSpec.AllChips);
        Assert.Equal(5000, s.Chips.Count);
    }

    [Fact]
    public void Midwest_chip_payload_selects_its_1751_chips_by_id()
    {
        var path = RepoPaths.Data("data/reference/easierdata/midwest_crops_chip_payload.geojson");
        var doc = AoiDocument.Read(path);
        Assert.True(doc.IsChipPayload);
        var s = AoiSelector.Select(Grid, doc);
        Assert.Equal(1751, s.Chips.Count);
        Assert.Contains("chip_085_328", s.Ids);
        Assert.Equal(s.Ids.Order(StringComparer.Ordinal), s.Ids);
    }

    [Fact]
    public void Midwest_payload_in_epsg5070_is_also_a_payload()
    {
        var s = AoiSelector.Select(Grid, AoiSpec.FromFile(RepoPaths.Data("data/reference/easierdata/midwest_crops_chip_payload_5070.geojson")));
        var wgs = AoiSelector.Select(Grid, AoiSpec.FromFile(RepoPaths.Data("data/reference/easierdata/midwest_crops_chip_payload.geojson")));
        Assert.Equal(wgs.Ids, s.Ids);
    }

    [Fact]
    public void Example_aoi_of_the_original_reads_but_lies_outside_the_5000_chips()
    {
        // clarkcga/aoi.geojson is a 2.6 x 1.1 km box south of San Antonio; the nearest of the 5,000 chips
        // (chip_385_323) is 0.6 degrees away, so it must fail loudly rather than yield an empty dataset.
        var path = RepoPaths.Data("data/reference/clarkcga/aoi.geojson");
        var doc = AoiDocument.Read(path);
        Assert.False(doc.IsChipPayload);
        Assert.Equal(1, doc.Polygons4326!.NumGeometries);
        Assert.Null(doc.DeclaredCrs);
        Assert.Empty(Grid.Chips.Where(c => c.Footprint4326.Intersects(doc.Polygons4326)));
        var e = Assert.Throws<GeoInputException>(() => AoiSelector.Select(Grid, doc));
        Assert.Contains(path, e.Message);
        Assert.Contains("selects no chip", e.Message);
        Assert.Contains("-98.49284409933445, 28.482161633569604", e.Message);
    }

    [Fact]
    public void Aoi_selection_equals_a_brute_force_intersects_over_every_chip()
    {
        using var tmp = new TempDir();
        // An L-shaped polygon with a hole across the Kansas/Nebraska border.
        var p = Write(tmp, "l.geojson", """
            {"type":"Polygon","coordinates":[
              [[-100,38],[-96,38],[-96,39],[-99,39],[-99,41],[-100,41],[-100,38]],
              [[-99.8,38.2],[-99.2,38.2],[-99.2,38.8],[-99.8,38.8],[-99.8,38.2]]]}
            """);
        var doc = AoiDocument.Read(p);
        var expected = Grid.Chips.Where(c => c.Footprint4326.Intersects(doc.Polygons4326!)).Select(c => c.Id).ToList();
        Assert.True(expected.Count > 20, $"only {expected.Count} chips in the test AOI");
        Assert.Equal(expected, AoiSelector.Select(Grid, doc).Ids);
    }

    [Fact]
    public void Polygon_multipolygon_feature_and_collection_select_the_same_chips()
    {
        using var tmp = new TempDir();
        var poly = $$"""{"type":"Polygon","coordinates":[{{KansasRing}}]}""";
        var files = new[]
        {
            Write(tmp, "p.geojson", poly),
            Write(tmp, "mp.geojson", $$"""{"type":"MultiPolygon","coordinates":[[{{KansasRing}}]]}"""),
            Write(tmp, "f.geojson", $$"""{"type":"Feature","properties":{"name":"x"},"geometry":{{poly}}}"""),
            Write(tmp, "fc.geojson", $$"""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{{poly}}}]}"""),
        };
        var results = files.Select(p => AoiSelector.Select(Grid, AoiSpec.FromFile(p)).Ids.ToList()).ToList();
        Assert.Contains("chip_203_335", results[0]);
        Assert.Contains("chip_202_336", results[0]);
        Assert.Contains("chip_203_337", results[0]);
        foreach (var r in results) Assert.Equal(results[0], r);
        var bbox = AoiSelector.Select(Grid, AoiSpec.FromBbox(-97.26, 39.22, -96.98, 39.33));
        Assert.Equal(results[0], bbox.Ids);
    }

    [Fact]
    public void A_crs_member_naming_epsg5070_is_transformed_through_gdal()
    {
        using var tmp = new TempDir();
        // chip_203_335's EPSG:5070 square shrunk by 1 km on each side: only that chip can intersect it.
        var e = ChipId.Parse("chip_203_335").Envelope5070;
        string P(double x, double y) => FormattableString.Invariant($"[{x},{y}]");
        var ring = $"[{P(e.MinX + 1000, e.MinY + 1000)},{P(e.MaxX - 1000, e.MinY + 1000)},{P(e.MaxX - 1000, e.MaxY - 1000)},{P(e.MinX + 1000, e.MaxY - 1000)},{P(e.MinX + 1000, e.MinY + 1000)}]";
        var p = Write(tmp, "albers.geojson",
            $$$"""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::5070"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[{{{ring}}}]}}]}""");
        var doc = AoiDocument.Read(p);
        Assert.Equal("urn:ogc:def:crs:EPSG::5070", doc.DeclaredCrs);
        Assert.InRange(doc.Polygons4326!.EnvelopeInternal.MinX, -97.3, -97.1);
        Assert.Equal(["chip_203_335"], AoiSelector.Select(Grid, doc).Ids);
    }

    [Fact]
    public void An_unknown_crs_is_rejected_naming_file_and_crs()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "weird.geojson",
            $$$"""{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:999999"}},"coordinates":[{{{KansasRing}}}]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiDocument.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains("EPSG:999999", e.Message);
    }

    [Fact]
    public void A_linked_crs_is_rejected_clearly()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "link.geojson",
            $$$"""{"type":"Polygon","crs":{"type":"link","properties":{"href":"x.prj"}},"coordinates":[{{{KansasRing}}}]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiDocument.Read(p));
        Assert.Contains("not a named CRS", e.Message);
    }

    [Fact]
    public void Self_intersecting_ring_is_rejected_with_the_reason()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "bowtie.geojson",
            """{"type":"Polygon","coordinates":[[[-97.3,39.2],[-97.0,39.3],[-97.0,39.2],[-97.3,39.3],[-97.3,39.2]]]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiDocument.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains("not a valid polygon", e.Message);
        Assert.Contains("Self-intersection", e.Message);
    }

    [Theory]
    [InlineData("not json at all", "is not JSON")]
    [InlineData("""{"hello":"world"}""", "not GeoJSON")]
    [InlineData("""{"type":"Point","coordinates":[-97,39]}""", "expected a Polygon or MultiPolygon")]
    [InlineData("""{"type":"Topology","objects":{}}""", "expected Polygon, MultiPolygon, Feature or FeatureCollection")]
    [InlineData("""{"type":"FeatureCollection","features":[]}""", "holds no polygon")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":null}""", "has no geometry")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[-97,39],[-96,39]]}}""", "is a LineString")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-97.3,39.2],[-97.0,39.2],[-97.0,95],[-97.3,39.2]]]}""", "outside longitude ±180 / latitude ±90")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-500000,1900000],[-490000,1900000],[-490000,1910000],[-500000,1900000]]]}""", "add a crs member if they are projected")]
    public void Bad_aoi_files_fail_with_a_message_that_names_the_file(string json, string expected)
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "bad.geojson", json);
        var e = Assert.Throws<GeoInputException>(() => AoiSelector.Select(Grid, AoiSpec.FromFile(p)));
        Assert.Contains(p, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<GeoInputException>(() => AoiDocument.Read("/nonexistent/aoi.geojson"));
        Assert.Contains("/nonexistent/aoi.geojson", e.Message);
    }

    [Fact]
    public void An_aoi_outside_the_chip_grid_is_an_error_not_an_empty_dataset()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "paris.geojson", """{"type":"Polygon","coordinates":[[[2.2,48.8],[2.4,48.8],[2.4,48.9],[2.2,48.8]]]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiSelector.Select(Grid, AoiSpec.FromFile(p)));
        Assert.Contains("selects no chip", e.Message);
        Assert.Contains(p, e.Message);
        var b = Assert.Throws<GeoInputException>(() => AoiSelector.Select(Grid, AoiSpec.FromBbox(2.2, 48.8, 2.4, 48.9)));
        Assert.Contains("[2.2, 48.8, 2.4, 48.9]", b.Message);
    }

    [Fact]
    public void Payload_with_an_unknown_chip_id_is_rejected()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "payload.geojson",
            """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"chip_999_999","center":[0,0]},"geometry":{"type":"Point","coordinates":[0,0]}}]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiSelector.Select(Grid, AoiSpec.FromFile(p)));
        Assert.Contains("chip_999_999", e.Message);
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Payload_mixing_chips_and_other_features_is_ambiguous()
    {
        using var tmp = new TempDir();
        var p = Write(tmp, "mixed.geojson",
            $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"chip_203_335"},"geometry":{"type":"Polygon","coordinates":[{{{KansasRing}}}]}},{"type":"Feature","properties":{"id":"field 7"},"geometry":{"type":"Polygon","coordinates":[{{{KansasRing}}}]}}]}""");
        var e = Assert.Throws<GeoInputException>(() => AoiDocument.Read(p));
        Assert.Contains("mixes chip features", e.Message);
    }

    [Theory]
    [InlineData(-96.0, 39.0, -97.0, 40.0, "minx must be less than maxx")]
    [InlineData(-97.0, 40.0, -96.0, 39.0, "miny must be less than maxy")]
    [InlineData(-97.0, 39.0, -97.0, 40.0, "minx must be less than maxx")]
    [InlineData(-181.0, 39.0, -96.0, 40.0, "minx = -181 is outside ±180")]
    [InlineData(-97.0, 39.0, -96.0, 91.0, "maxy = 91 is outside ±90")]
    [InlineData(double.NaN, 39.0, -96.0, 40.0, "minx = NaN")]
    public void Bad_bboxes_are_rejected_naming_the_value(double a, double b, double c, double d, string expected)
    {
        var e = Assert.Throws<GeoInputException>(() => AoiSpec.FromBbox(a, b, c, d));
        Assert.Contains(expected, e.Message);
        Assert.Contains("AOI bbox [", e.Message);
    }

    [Fact]
    public void Bbox_text_parses_in_invariant_culture()
    {
        var s = (BboxAoi)AoiSpec.ParseBbox("[-97.26, 39.22, -96.98, 39.33]");
        Assert.Equal((-97.26, 39.22, -96.98, 39.33), (s.MinX, s.MinY, s.MaxX, s.MaxY));
        Assert.Equal(s, AoiSpec.ParseBbox("-97.26,39.22,-96.98,39.33"));
        var e = Assert.Throws<GeoInputException>(() => AoiSpec.ParseBbox("-97.26, 39.22, -96,98, 39.33"));
        Assert.Contains("expected 4", e.Message);
        Assert.Contains("'x' is not a number", Assert.Throws<GeoInputException>(() => AoiSpec.ParseBbox("x,1,2,3")).Message);
        Assert.Contains("expected 4", Assert.Throws<GeoInputException>(() => AoiSpec.ParseBbox("1,2,3")).Message);
    }

    [Fact]
    public void A_bbox_touching_a_chip_only_at_its_edge_selects_it()
    {
        // Intersects (not "overlaps") is the spec's rule: a shared boundary point counts.
        var c = Grid["chip_203_335"];
        var e = c.Footprint4326.EnvelopeInternal;
        var s = AoiSelector.Select(Grid, AoiSpec.FromBbox(e.MaxX, e.MinY, e.MaxX + 1e-9, e.MaxY));
        Assert.Contains("chip_203_335", s.Ids);
    }

    [Fact]
    public void Selection_geojson_is_sorted_deterministic_and_reads_back_as_a_payload()
    {
        using var tmp = new TempDir();
        var s = AoiSelector.Select(Grid, AoiSpec.FromBbox(-97.26, 39.22, -96.98, 39.33));
        var a = tmp.File("a.geojson");
        var b = tmp.File("b.geojson");
        s.WriteGeoJson(a);
        ChipGeoJson.WriteFile(b, s.Chips.Reverse());
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var text = File.ReadAllText(a, Encoding.UTF8);
        Assert.StartsWith("""{"type":"FeatureCollection","name":"chips","features":[{"type":"Feature",""", text);
        Assert.True(text.IndexOf("chip_202_336", StringComparison.Ordinal) < text.IndexOf("chip_203_335", StringComparison.Ordinal));
        var back = AoiDocument.Read(a);
        Assert.True(back.IsChipPayload);
        Assert.Equal(s.Ids, back.ChipIds!);

        var albers = tmp.File("albers.geojson");
        s.WriteGeoJson(albers, ChipCrs.Albers5070);
        var t = File.ReadAllText(albers);
        Assert.Contains("\"urn:ogc:def:crs:EPSG::5070\"", t);
        var centre = ChipId.Parse("chip_203_335").Center5070;      // (-101535, 1805085) from the id
        Assert.Contains(FormattableString.Invariant($"\"center\":[{centre.X},{centre.Y}]"), t);
        Assert.Equal(s.Ids, AoiSelector.Select(Grid, AoiSpec.FromFile(albers)).Ids);
    }
}
