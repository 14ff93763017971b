using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;
using CropData.Stac.Static;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

public class StaticCatalogTests
{
    private static StacItem Item(string id, double x, string datetime, string? collection = null) => new StacItem(id)
    {
        Collection = collection,
        Geometry = ReferenceWorld.Box(x, 40, x + 1, 41),
        Bbox = [x, 40, x + 1, 41],
        Properties = new JsonObject { ["datetime"] = datetime },
        Links = [new StacLink("via", $"./{id}.umm_json")],
    };

    private static StaticCatalogWriter SmallCatalog()
    {
        var w = new StaticCatalogWriter("test", "a test catalog") { Title = "Test" };
        w.AddCollection(new StacCollectionSpec("A", "collection A"));
        w.AddCollection(new StacCollectionSpec("B", "collection B") { License = "CC0-1.0" });
        w.AddItem("A", Item("a2", -99, "2022-06-01T00:00:00Z"), [new StacSidecarFile("a2.umm_json", "{\"GranuleUR\":\"a2\"}"u8.ToArray())]);
        w.AddItem("A", Item("a1", -100, "2022-03-01T00:00:00Z"));
        w.AddItem("B", Item("b1", -98, "2022-09-30T00:00:00Z"));
        w.AddItem("B", Item("b2", 10, "2022-10-01T00:00:00Z"));
        return w;
    }

    [Fact]
    public void Writer_output_is_deterministic_with_relative_links()
    {
        using var tmp = new TempDir();
        var files1 = SmallCatalog().Write(tmp.Sub("one"));
        var files2 = SmallCatalog().Write(tmp.Sub("two"));
        Assert.Equal(files1, files2);
        Assert.Equal(["A/a1/a1.json", "A/a2/a2.json", "A/a2/a2.umm_json", "A/collection.json", "B/b1/b1.json", "B/b2/b2.json", "B/collection.json", "catalog.json"], files1);
        foreach (var f in files1) Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.Sub("one"), f)), File.ReadAllBytes(Path.Combine(tmp.Sub("two"), f)));

        var catalog = File.ReadAllText(tmp.Sub("one/catalog.json"));
        Assert.Contains("\"href\": \"./A/collection.json\"", catalog);
        Assert.DoesNotContain("\"self\"", catalog);
        Assert.DoesNotContain("\r", catalog);
        var collection = (JsonObject)StacJson.Parse(File.ReadAllBytes(tmp.Sub("one/A/collection.json")), "c");
        Assert.Equal("[[-100,40,-98,41]]", collection["extent"]!["spatial"]!["bbox"]!.ToJsonString());
        Assert.Equal("[[\"2022-03-01T00:00:00Z\",\"2022-06-01T00:00:00Z\"]]", collection["extent"]!["temporal"]!["interval"]!.ToJsonString());
        var item = StacItem.FromJson((JsonObject)StacJson.Parse(File.ReadAllBytes(tmp.Sub("one/A/a2/a2.json")), "i"), "i");
        Assert.Equal("A", item.Collection);
        Assert.Equal(["root", "parent", "collection", "via"], item.Links.Select(l => l.Rel));
        Assert.Equal("../../catalog.json", item.Links[0].Href);
        Assert.Equal("./a2.umm_json", item.Links[3].Href);
    }

    [Fact]
    public void Writer_refuses_to_mix_into_a_non_empty_folder_or_unsafe_names()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Sub("x"));
        File.WriteAllText(tmp.Sub("x/keep.txt"), "mine");
        Assert.Throws<IOException>(() => SmallCatalog().Write(tmp.Sub("x"), replace: true));
        Assert.True(File.Exists(tmp.Sub("x/keep.txt")));
        SmallCatalog().Write(tmp.Sub("y"));
        Assert.Throws<IOException>(() => SmallCatalog().Write(tmp.Sub("y")));
        SmallCatalog().Write(tmp.Sub("y"), replace: true);
        var w = new StaticCatalogWriter("t", "d");
        Assert.Throws<ArgumentException>(() => w.AddCollection(new StacCollectionSpec("../up", "d")));
        w.AddCollection(new StacCollectionSpec("C", "d"));
        Assert.Throws<ArgumentException>(() => w.AddItem("C", new StacItem("a/b")));
        Assert.Throws<ArgumentException>(() => w.AddItem("D", new StacItem("x")));
        w.AddItem("C", new StacItem("x"));
        Assert.Throws<ArgumentException>(() => w.AddItem("C", new StacItem("x")));
    }

    [Fact]
    public async Task Reader_filters_like_item_search()
    {
        using var tmp = new TempDir();
        SmallCatalog().Write(tmp.Path);
        var cat = StaticCatalog.Open(tmp.Path);
        Assert.Equal(["a1", "a2", "b1", "b2"], cat.Items.Select(i => i.Id));
        string[] Ids(StacSearchRequest r) => cat.Search(r).Select(i => i.Id).ToArray();
        Assert.Equal(["b1", "b2"], Ids(new StacSearchRequest { Collections = ["B"] }));
        Assert.Equal(["a2", "b2"], Ids(new StacSearchRequest { Ids = ["b2", "a2", "zz"] }));
        // Inclusive interval ends, open ends.
        Assert.Equal(["a1", "a2", "b1"], Ids(new StacSearchRequest { Datetime = "2022-03-01T00:00:00Z/2022-09-30T00:00:00Z" }));
        Assert.Equal(["b1", "b2"], Ids(new StacSearchRequest { Datetime = "2022-07-01T00:00:00Z/.." }));
        Assert.Equal(["a1"], Ids(new StacSearchRequest { Datetime = "2022-03-01T00:00:00Z" }));
        // bbox and intersects test bounding boxes, edges inclusive.
        Assert.Equal(["a1", "a2"], Ids(new StacSearchRequest { Bbox = [-99.5, 40.5, -99, 40.6] }));
        Assert.Equal(["b2"], Ids(new StacSearchRequest().WithIntersects(ReferenceWorld.Box(10.5, 40.5, 10.6, 40.6))));
        Assert.Empty(Ids(new StacSearchRequest().WithIntersects(ReferenceWorld.Box(0, 0, 1, 1))));
        Assert.Equal(["a2"], Ids(new StacSearchRequest { Collections = ["A"], Datetime = "2022-05-01T00:00:00Z/..", Bbox = [-100, 40, -97, 41] }));
        // Relative links resolve against the item file and read through the same source.
        var a2 = cat.Items.Single(i => i.Id == "a2");
        var doc = await cat.GetJsonAsync(a2.Resolve(a2.Links.Single(l => l.Rel == "via").Href));
        Assert.Equal("a2", doc["GranuleUR"]!.GetValue<string>());
        var a1 = cat.Items.Single(i => i.Id == "a1");
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => cat.GetJsonAsync(a1.Resolve("./a1.umm_json")));
        Assert.Contains("a1.umm_json", e.Message);
    }

    [Fact]
    public void Items_without_a_collection_field_take_their_parent_collection_and_broken_links_are_named()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Sub("c/items"));
        File.WriteAllText(tmp.Sub("catalog.json"), """{"type":"Catalog","id":"r","description":"d","stac_version":"1.0.0","links":[{"rel":"child","href":"c/collection.json"}]}""");
        File.WriteAllText(tmp.Sub("c/collection.json"), """{"type":"Collection","id":"HLSS30_2.0","description":"d","stac_version":"1.0.0","license":"x","extent":{},"links":[{"rel":"item","href":"./items/i1.json"},{"rel":"license","href":"https://example.org/l"}]}""");
        File.WriteAllText(tmp.Sub("c/items/i1.json"), """{"type":"Feature","id":"i1","stac_version":"1.0.0","geometry":null,"bbox":[0,0,1,1],"properties":{"datetime":"2022-04-01T00:00:00Z"},"links":[],"assets":{},"x":1}""");
        var cat = StaticCatalog.Open(tmp.Sub("catalog.json"));
        Assert.Equal("HLSS30_2.0", cat.Items.Single().Collection);
        Assert.Single(cat.Search(new StacSearchRequest { Collections = ["HLSS30_2.0"] }));
        File.Delete(tmp.Sub("c/items/i1.json"));
        var e = Assert.Throws<FileNotFoundException>(() => StaticCatalog.Open(tmp.Path));
        Assert.Contains("i1.json", e.Message);
        Assert.Contains("collection.json", e.Message);
    }
}
