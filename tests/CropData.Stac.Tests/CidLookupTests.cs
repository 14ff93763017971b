using System.Text.Json.Nodes;
using CropData.Dataset.Scenes;
using CropData.Stac.Api;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Static;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>Spec stage 6 against Easier-STAC-like items built from the real filename → CID mapping.</summary>
public class CidLookupTests
{
    /// <summary>The selected scenes of every tile that has at least one scene in the mapping (12 tiles, 36 scenes, 33 mapped).</summary>
    private static List<SelectedScene> SelectedForMappedTiles()
    {
        var world = ReferenceWorld.Instance.Value;
        var mappedTiles = ReferenceWorld.CidMapping().Select(m => HlsNames.TileOfScene(m.Filename)).ToHashSet();
        return SceneSelector.SelectAll(world.Reference.Where(s => mappedTiles.Contains(s.TileId))).SelectMany(t => t.Scenes).ToList();
    }

    private static void AssertPayloadsMatchMapping(CidLookupResult result)
    {
        var mapping = ReferenceWorld.CidMapping();
        Assert.Equal(33, result.Payloads.Count);
        var flat = result.Payloads.Values.SelectMany(v => v).ToList();
        Assert.Equal(231, flat.Count);
        Assert.Equal(mapping.OrderBy(m => m.Filename, StringComparer.Ordinal), flat.Select(b => (b.Filename, b.Cid)).OrderBy(m => m.Filename, StringComparer.Ordinal));
        Assert.All(result.Payloads.Values, bands => Assert.Equal(HlsNames.DefaultBands, bands.Select(b => b.BandName)));
        Assert.All(flat, b => Assert.Equal(59, b.Cid.Length));
        // The tiles with fewer than three mapped scenes: each unmapped selected scene is reported by id.
        Assert.Equal(3, result.Issues.Count);
        Assert.All(result.Issues, i => Assert.Contains("is not in the Easier STAC catalog", i.Problem));
        Assert.Equal(["17SQC", "17TPE", "17TPE"], result.Issues.Select(i => i.TileId));
    }

    [Fact]
    public async Task Cids_come_from_the_ipfs_alternate_of_each_band_via_the_server()
    {
        var world = ReferenceWorld.Instance.Value;
        var selected = SelectedForMappedTiles();
        Assert.Equal(36, selected.Count);
        await using var server = new StacTestServer(world.EasierItems());
        using var client = new StacApiClient(server.BaseUri);
        var lookup = new EasierCidLookup(client);
        var result = await lookup.LookupAsync(selected.Select(s => s.Scene.SceneId));
        AssertPayloadsMatchMapping(result);
        // One search per scene, by id.
        Assert.Equal(36, server.Requests.Count(r => r.PathAndQuery == "/search" && r.Body.Contains("\"ids\":[")));

        // Per tile (one build unit per tile) gives the same, merged.
        var perTile = new List<CidLookupResult>();
        foreach (var tile in selected.GroupBy(s => s.TileId)) perTile.Add(await lookup.LookupTileAsync(tile));
        var merged = perTile.SelectMany(r => r.Payloads).ToList();
        Assert.Equal(TilePayloadsJson.ToBytes(result.Payloads), TilePayloadsJson.ToBytes(merged));
    }

    [Fact]
    public async Task Static_easier_catalog_gives_the_same_tile_payloads_json()
    {
        var world = ReferenceWorld.Instance.Value;
        var selected = SelectedForMappedTiles();
        using var tmp = new TempDir();
        var w = new StaticCatalogWriter("easier-like", "Easier-STAC-like HLS items with IPFS alternates");
        w.AddCollection(new StacCollectionSpec("HLSS30", "HLS S30 v2.0 with IPFS CIDs"));
        foreach (var item in world.EasierItems()) w.AddItem("HLSS30", item);
        w.Write(tmp.Sub("easier"));
        var fromCatalog = await new EasierCidLookup(StaticCatalog.Open(tmp.Sub("easier"))).LookupAsync(selected.Select(s => s.Scene.SceneId));
        AssertPayloadsMatchMapping(fromCatalog);

        await using var server = new StacTestServer(world.EasierItems());
        using var client = new StacApiClient(server.BaseUri);
        var fromServer = await new EasierCidLookup(client).LookupAsync(selected.Select(s => s.Scene.SceneId));
        TilePayloadsJson.WriteFile(tmp.Sub("a/tile_payloads.json"), fromCatalog.Payloads);
        TilePayloadsJson.WriteFile(tmp.Sub("b/tile_payloads.json"), fromServer.Payloads);
        Assert.Equal(File.ReadAllBytes(tmp.Sub("a/tile_payloads.json")), File.ReadAllBytes(tmp.Sub("b/tile_payloads.json")));
        var back = TilePayloadsJson.ReadFile(tmp.Sub("a/tile_payloads.json"));
        Assert.Equal(back.Keys.Order(StringComparer.Ordinal), back.Keys);
        Assert.Equal("bafybeib77f7bspur2pekd4nbodseysl2cdf5zsm4smtp25pi625smg3hzy",
            back["HLS.S30.T18SVJ.2022070T155051.v2.0"].Single(b => b.BandName == "B11").Cid);
    }

    [Fact]
    public async Task A_band_without_its_ipfs_alternate_or_asset_is_reported_and_the_rest_kept()
    {
        var world = ReferenceWorld.Instance.Value;
        var items = world.EasierItems();
        var scene = items[0].Id;
        var assets = items[0].AssetOrder.ToDictionary(k => k, k => items[0].Assets[k]);
        assets["B04"] = assets["B04"] with { Extra = new JsonObject { ["alternate"] = new JsonObject { ["S3"] = new JsonObject { ["href"] = "s3://x" } } } };
        assets.Remove("Fmask");
        items[0] = items[0] with { Assets = assets, AssetOrder = assets.Keys.ToList() };
        await using var server = new StacTestServer(items);
        using var client = new StacApiClient(server.BaseUri);
        var result = await new EasierCidLookup(client).LookupAsync([scene, "HLS.S30.T99XXX.2022100T000000.v2.0"]);
        Assert.Equal(["B02", "B03", "B8A", "B11", "B12"], result.Payloads[scene].Select(b => b.BandName));
        Assert.Contains(result.Issues, i => i.SceneId == scene && i.Problem == "band B04: asset has no alternate.IPFS.href");
        Assert.Contains(result.Issues, i => i.SceneId == scene && i.Problem == "band Fmask: the Easier STAC item has no asset 'Fmask'");
        Assert.Contains(result.Issues, i => i.SceneId == "HLS.S30.T99XXX.2022100T000000.v2.0" && i.Problem.Contains("not in the Easier STAC catalog"));
        Assert.False(result.Payloads.ContainsKey("HLS.S30.T99XXX.2022100T000000.v2.0"));
    }

    [Theory]
    [InlineData("ipfs://bafybeib77f7bspur2pekd4nbodseysl2cdf5zsm4smtp25pi625smg3hzy", "bafybeib77f7bspur2pekd4nbodseysl2cdf5zsm4smtp25pi625smg3hzy")]
    [InlineData("https://ipfs.io/ipfs/QmTgttqUf7PvZgdSoe71j3njeEKk1hC3h22n2sQmety3To/", "QmTgttqUf7PvZgdSoe71j3njeEKk1hC3h22n2sQmety3To")]
    [InlineData("http://127.0.0.1:8080/ipfs/bafyX?filename=a.tif", "bafyX")]
    [InlineData("ipfs://", "")]
    public void Cid_is_the_last_path_segment_with_case_kept(string href, string cid) =>
        Assert.Equal(cid, EasierCidLookup.LastPathSegment(href));
}
