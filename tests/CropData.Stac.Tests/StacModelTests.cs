using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

public class StacModelTests
{
    private static JsonObject RealItemJson() =>
        (JsonObject)StacJson.Parse(File.ReadAllBytes(RepoRoot.Data("reference", "hls", "HLS-VI_stac_item.json")), "HLS-VI item");

    [Fact]
    public void Real_lp_daac_item_is_typed_and_keeps_unknown_fields()
    {
        var item = StacItem.FromJson(RealItemJson(), "HLS-VI item");
        Assert.Equal("HLS-VI.L30.T06WVS.2024120T211159.v2.0", item.Id);
        Assert.Equal(10, item.Assets.Count);
        Assert.Equal(["NDVI", "EVI", "MSAVI", "NBR", "NBR2", "NDMI", "NDWI", "SAVI", "TVI", "thumbnail"], item.AssetOrder);
        Assert.Equal("image/jpeg", item.Assets["thumbnail"].Type);
        Assert.Equal(["data"], item.Assets["NDVI"].Roles);
        Assert.Equal("NDVI", item.Assets["NDVI"].Extra["eo:bands"]![0]!["name"]!.GetValue<string>());
        Assert.Equal([-149.114568, 63.924491, -146.793616, 64.923996], item.Bbox!);
        Assert.Equal("MultiPolygon", item.Geometry!["type"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2024, 5, 8, 16, 25, 12, 736, TimeSpan.Zero).AddTicks(2300), item.Datetime);
        Assert.Equal(6.0, item.Properties["eo:cloud_cover"]!.GetValue<double>());
        Assert.Equal("cite-as", item.Links[1].Rel);
        Assert.Equal(4, item.StacExtensions.Count);
        // Nothing is lost on the way back.
        Assert.True(JsonNode.DeepEquals(RealItemJson(), item.ToJson()));
    }

    [Fact]
    public void Unknown_fields_everywhere_are_tolerated_and_kept()
    {
        var json = RealItemJson();
        json["x-vendor"] = new JsonObject { ["a"] = 1 };
        ((JsonObject)json["assets"]!["EVI"]!)["alternate"] = new JsonObject { ["IPFS"] = new JsonObject { ["href"] = "ipfs://bafyEVI" } };
        ((JsonObject)json["links"]![0]!)["x-link"] = true;
        var item = StacItem.FromJson(json, "src");
        Assert.Equal("ipfs://bafyEVI", item.Assets["EVI"].AlternateHref("IPFS"));
        Assert.Null(item.Assets["NDVI"].AlternateHref("IPFS"));
        Assert.True(JsonNode.DeepEquals(json, item.ToJson()));
        json.Remove("id");
        Assert.Contains("src: the item has no string 'id'", Assert.Throws<FormatException>(() => StacItem.FromJson(json, "src")).Message);
    }

    [Fact]
    public void Relative_hrefs_resolve_against_the_source()
    {
        var item = StacItem.FromJson(RealItemJson(), "src", new Uri("file:///data/cat/c/i/i.json"));
        Assert.Equal("file:///data/cat/c/i/i.umm_json", item.Resolve("./i.umm_json").AbsoluteUri);
        Assert.Equal("https://h/x", item.Resolve("https://h/x").AbsoluteUri);
        Assert.Throws<InvalidOperationException>(() => StacItem.FromJson(RealItemJson(), "src").Resolve("./x"));
    }

    [Fact]
    public void Search_request_as_post_body_and_as_get_query()
    {
        var r = new StacSearchRequest
        {
            Collections = ["HLSS30_2.0"], Datetime = "2022-03-01T00:00:00Z/2022-09-30T00:00:00Z", Limit = 250, Ids = ["a", "b"],
        }.WithIntersects("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-98.1,37.5],[-98,37.5],[-98,37.6],[-98.1,37.5]]]}}");
        var body = r.ToJsonBody();
        Assert.Equal("Polygon", body["intersects"]!["type"]!.GetValue<string>());
        Assert.Equal(250, body["limit"]!.GetValue<int>());
        Assert.Equal("HLSS30_2.0", body["collections"]![0]!.GetValue<string>());
        var q = r.ToQueryString();
        Assert.Contains("collections=HLSS30_2.0", q);
        Assert.Contains("ids=a%2Cb", q);
        Assert.Contains("datetime=2022-03-01T00%3A00%3A00Z%2F2022-09-30T00%3A00%3A00Z", q);
        Assert.Contains("intersects=%7B%22type%22%3A%22Polygon%22", q);
        Assert.Equal([-98.1, 37.5, -98, 37.6], GeoJsonBounds.Of(r.Intersects)!);
        Assert.Throws<FormatException>(() => new StacSearchRequest().WithIntersects("{\"coordinates\":[]}"));
    }

    [Fact]
    public void Datetime_intervals_parse_with_open_ends()
    {
        var (s, e) = StacSearchRequest.ParseInterval("2022-03-01T00:00:00Z/2022-09-30T00:00:00Z");
        Assert.Equal(new DateTimeOffset(2022, 3, 1, 0, 0, 0, TimeSpan.Zero), s);
        Assert.Equal(new DateTimeOffset(2022, 9, 30, 0, 0, 0, TimeSpan.Zero), e);
        Assert.Null(StacSearchRequest.ParseInterval("../2022-01-01T00:00:00Z").Start);
        Assert.Null(StacSearchRequest.ParseInterval("2022-01-01T00:00:00Z/").End);
        var one = StacSearchRequest.ParseInterval("2022-01-01T00:00:00Z");
        Assert.Equal(one.Start, one.End);
        Assert.Throws<FormatException>(() => StacSearchRequest.ParseInterval("yesterday/today"));
    }
}
