using System.Text.Json.Nodes;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>
/// Issue 18: real Easier STAC payloads from easierdata/stac-fastapi (data/reference/easierdata/stac-fastapi.*): assets
/// that carry only an IPFS alternate (no href), once as <c>{"href": "ipfs://Qm…"}</c> and once as the bare string
/// <c>"Qm…"</c>. Before, the first rejected the whole item ("asset thumbnail: the asset has no string 'href'") and the
/// second read as null.
/// </summary>
public class EasierItemFixtureTests
{
    private static StacItem Load(string name)
    {
        var path = Path.Combine(RepoRoot.Path, "data", "reference", "easierdata", name);
        return StacItem.FromJson(JsonNode.Parse(File.ReadAllText(path))!.AsObject(), path);
    }

    [Theory]
    [InlineData("stac-fastapi.update_cid.json", "coastal", "QmRtciFJLQNrTq3vDnTbNVCzR9JyX9nHKsddC6sW8zUvcZ")]
    [InlineData("stac-fastapi.sample_stac_web3_snippet.json", "green", "QmdFsZ7zM1x8kLx7ttPTrJFMVTCT7wW84jKttncLvHQ9Mr")]
    public void Assets_without_href_read_and_every_ipfs_alternate_gives_its_cid(string file, string band, string cid)
    {
        var item = Load(file);
        Assert.NotEmpty(item.Assets);
        Assert.All(item.Assets.Values, a => Assert.Null(a.Href));
        Assert.Equal(cid, EasierCidLookup.LastPathSegment(item.Assets[band].AlternateHref("IPFS")!));
        foreach (var (name, asset) in item.Assets)
        {
            var found = EasierCidLookup.LastPathSegment(asset.AlternateHref("IPFS") ?? "");
            Assert.True(found.StartsWith("Qm", StringComparison.Ordinal) && found.Length == 46, $"asset {name}: '{found}' is not a CIDv0");
        }
        // Written back, an href-less asset stays href-less (no "href": null appears).
        Assert.DoesNotContain("\"href\":null", item.ToJson().ToJsonString().Replace(" ", ""));
    }

    [Fact]
    public void An_href_of_the_wrong_type_is_still_an_error_naming_the_asset()
    {
        var o = JsonNode.Parse("""{"id": "x", "assets": {"B02": {"href": 42}}}""")!.AsObject();
        var e = Assert.Throws<FormatException>(() => StacItem.FromJson(o, "test.json"));
        Assert.Contains("asset B02", e.Message);
        Assert.Contains("not a string", e.Message);
    }
}
