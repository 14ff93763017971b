using System.Text.Json.Nodes;
using System.Xml.Linq;
using CropData.Dataset.Scenes;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>Spec stage 3: the facts read from a granule's UMM-G metadata, and what happens when they are missing.</summary>
public class UmmgParserTests
{
    private const string Scene = "HLS.S30.T13RCN.2024128T173909.v2.0";

    /// <summary>The real ECHO10 metadata's GranuleUR and AdditionalAttributes, carried over to UMM-G JSON field names.</summary>
    private static JsonObject UmmgFromRealEcho10()
    {
        var xml = XDocument.Load(RepoRoot.Data("reference", "hls", Scene + ".cmr.xml"));
        var attrs = new JsonArray();
        foreach (var a in xml.Descendants("AdditionalAttribute"))
            attrs.Add(new JsonObject
            {
                ["Name"] = a.Element("Name")!.Value,
                ["Values"] = new JsonArray(a.Descendants("Value").Select(v => (JsonNode?)JsonValue.Create(v.Value)).ToArray()),
            });
        var urls = new JsonArray();
        foreach (var band in new[] { "B01", "B02", "B03", "B04", "B8A", "B11", "B12", "Fmask", "VAA" })
        {
            urls.Add(new JsonObject { ["URL"] = $"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/{Scene}/{Scene}.{band}.tif", ["Type"] = "GET DATA" });
            urls.Add(new JsonObject { ["URL"] = $"s3://lp-prod-protected/HLSS30.020/{Scene}/{Scene}.{band}.tif", ["Type"] = "GET DATA VIA DIRECT ACCESS" });
        }
        urls.Add(new JsonObject { ["URL"] = $"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-public/HLSS30.020/{Scene}/{Scene}.jpg", ["Type"] = "GET RELATED VISUALIZATION" });
        urls.Add(new JsonObject { ["URL"] = "https://data.lpdaac.earthdatacloud.nasa.gov/s3credentials", ["Type"] = "VIEW RELATED INFORMATION" });
        return new JsonObject
        {
            ["GranuleUR"] = xml.Root!.Element("GranuleUR")!.Value,
            ["AdditionalAttributes"] = attrs,
            ["RelatedUrls"] = urls,
        };
    }

    [Fact]
    public void Real_echo10_attributes_give_cloud_coverage_and_sensing_date()
    {
        var r = UmmgParser.Parse(UmmgFromRealEcho10(), HlsNames.DefaultBands, "hint", "test");
        Assert.Null(r.Issue);
        var s = r.Scene!;
        Assert.Equal(Scene, s.SceneId);
        Assert.Equal("13RCN", s.TileId);
        Assert.Equal(9, s.CloudCover);
        Assert.Equal(100, s.SpatialCover);
        Assert.Equal(new DateOnly(2024, 5, 7), s.Date);
        Assert.Equal(HlsNames.DefaultBands.OrderBy(b => b, StringComparer.Ordinal), s.HttpsLinks.Keys);
        Assert.Equal(HlsNames.DefaultBands.OrderBy(b => b, StringComparer.Ordinal), s.S3Links.Keys);
        Assert.StartsWith("s3://", s.S3Links["Fmask"]);
        Assert.EndsWith(".B8A.tif", s.HttpsLinks["B8A"]);
    }

    [Theory]
    [InlineData("umm")]
    [InlineData("items")]
    public void Wrapped_granule_documents_are_accepted(string wrapper)
    {
        JsonNode doc = wrapper == "umm"
            ? new JsonObject { ["meta"] = new JsonObject { ["concept-id"] = "G1-LPCLOUD" }, ["umm"] = UmmgFromRealEcho10() }
            : new JsonObject { ["hits"] = 1, ["items"] = new JsonArray(new JsonObject { ["umm"] = UmmgFromRealEcho10() }) };
        Assert.Equal(9, UmmgParser.Parse(doc, HlsNames.DefaultBands, "hint", "test").Scene!.CloudCover);
    }

    [Fact]
    public void Missing_and_malformed_attributes_are_all_named_in_one_issue()
    {
        var doc = UmmgFromRealEcho10();
        var attrs = (JsonArray)doc["AdditionalAttributes"]!;
        attrs.Remove(attrs.First(a => a!["Name"]!.GetValue<string>() == "CLOUD_COVERAGE"));
        attrs.First(a => a!["Name"]!.GetValue<string>() == "SPATIAL_COVERAGE")!["Values"] = new JsonArray(JsonValue.Create("most"));
        attrs.First(a => a!["Name"]!.GetValue<string>() == "SENSING_TIME")!["Values"] = new JsonArray();
        var r = UmmgParser.Parse(doc, HlsNames.DefaultBands, "hint", "UMM-G http://h/G1.umm_json");
        Assert.Null(r.Scene);
        Assert.Equal(Scene, r.Issue!.SceneId);
        Assert.Equal("13RCN", r.Issue.TileId);
        Assert.Contains("UMM-G http://h/G1.umm_json", r.Issue.Problem);
        Assert.Contains("CLOUD_COVERAGE missing", r.Issue.Problem);
        Assert.Contains("SPATIAL_COVERAGE 'most' is not a number", r.Issue.Problem);
        Assert.Contains("SENSING_TIME missing", r.Issue.Problem);
    }

    [Fact]
    public void No_granule_ur_or_no_object_reports_the_item_id()
    {
        var doc = UmmgFromRealEcho10();
        doc.Remove("GranuleUR");
        var r = UmmgParser.Parse(doc, HlsNames.DefaultBands, "HLS.S30.T14SPJ.2022074T171051.v2.0", "src");
        Assert.Equal("HLS.S30.T14SPJ.2022074T171051.v2.0", r.Issue!.SceneId);
        Assert.Equal("14SPJ", r.Issue.TileId);
        Assert.Contains("GranuleUR missing", r.Issue.Problem);
        var r2 = UmmgParser.Parse(new JsonArray(1, 2), HlsNames.DefaultBands, "HLS.S30.T14SPJ.2022074T171051.v2.0", "src");
        Assert.Contains("not a UMM-G granule object", r2.Issue!.Problem);
    }

    [Fact]
    public void Decimal_cover_is_truncated_numbers_are_accepted_and_two_sensing_times_use_the_first_date()
    {
        var doc = UmmgFromRealEcho10();
        var attrs = (JsonArray)doc["AdditionalAttributes"]!;
        attrs.First(a => a!["Name"]!.GetValue<string>() == "CLOUD_COVERAGE")!["Values"] = new JsonArray(JsonValue.Create("5.9"));
        attrs.First(a => a!["Name"]!.GetValue<string>() == "SPATIAL_COVERAGE")!["Values"] = new JsonArray(JsonValue.Create(87));
        attrs.First(a => a!["Name"]!.GetValue<string>() == "SENSING_TIME")!["Values"] =
            new JsonArray(JsonValue.Create("2022-06-30T23:59:58.1Z; 2022-07-01T00:00:03.2Z"));
        var s = UmmgParser.Parse(doc, HlsNames.DefaultBands, "hint", "src").Scene!;
        Assert.Equal(5, s.CloudCover);
        Assert.Equal(87, s.SpatialCover);
        Assert.Equal(new DateOnly(2022, 6, 30), s.Date);
    }

    [Fact]
    public void Only_configured_bands_are_kept()
    {
        var s = UmmgParser.Parse(UmmgFromRealEcho10(), ["B04", "Fmask"], "hint", "src").Scene!;
        Assert.Equal(["B04", "Fmask"], s.HttpsLinks.Keys);
        Assert.Equal(["B04", "Fmask"], s.S3Links.Keys);
    }

    [Fact]
    public void Built_ummg_documents_parse_back_to_the_scene()
    {
        var world = ReferenceWorld.Instance.Value;
        foreach (var s in world.Reference.Take(50))
        {
            var bytes = StacJson.ToBytes(world.Ummg(s));
            var back = UmmgParser.Parse(StacJson.Parse(bytes, "doc"), HlsNames.DefaultBands, "hint", "doc").Scene!;
            Assert.Equal((s.SceneId, s.TileId, s.Date, s.CloudCover, s.SpatialCover), (back.SceneId, back.TileId, back.Date, back.CloudCover, back.SpatialCover));
            Assert.Equal(s.HttpsLinks, back.HttpsLinks);
            Assert.Equal(s.S3Links, back.S3Links);
        }
    }
}
