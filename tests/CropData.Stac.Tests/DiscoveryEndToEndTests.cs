using System.Collections.Concurrent;
using CropData.Dataset.Scenes;
using CropData.Stac.Api;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Static;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>
/// Spec stages 3-5 end to end on the reference scenes (+ distractors): discovery through a real local STAC server
/// and through a static catalog written by <see cref="StaticCatalogWriter"/>, then the selection rules.
/// </summary>
public class DiscoveryEndToEndTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static async Task<SortedDictionary<string, TileDiscovery>> DiscoverAll(IStacSource source, ReferenceWorld world, IEnumerable<string>? tiles = null)
    {
        var discovery = new HlsSceneDiscovery(source, new HlsDiscoveryOptions { Datetime = ReferenceWorld.Datetime, PageLimit = 4 });
        var results = new ConcurrentDictionary<string, TileDiscovery>();
        await Parallel.ForEachAsync(tiles ?? world.Tiles, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (tile, ct) =>
            results[tile] = await discovery.DiscoverTileAsync(tile, world.ChipFootprint(tile), ct));
        return new SortedDictionary<string, TileDiscovery>(results, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Server_and_static_catalog_discover_and_select_the_same_1434_reference_scenes()
    {
        var world = ReferenceWorld.Instance.Value;
        await using var server = world.StartCmrServer();
        using var client = new StacApiClient(server.BaseUri);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fromServer = await DiscoverAll(client, world);
        output.WriteLine($"server: {server.Items.Count} items, {server.Requests.Count} requests, 478 tiles discovered in {clock.Elapsed.TotalSeconds:0.0} s");

        using var tmp = new TempDir();
        clock.Restart();
        var files = world.WriteCmrCatalog(tmp.Sub("cmr"));
        output.WriteLine($"static catalog: {files.Count} files written in {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        var catalog = StaticCatalog.Open(tmp.Sub("cmr"));
        output.WriteLine($"static catalog: {catalog.Items.Count} items opened in {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        var fromCatalog = await DiscoverAll(catalog, world);
        output.WriteLine($"static catalog: 478 tiles discovered in {clock.Elapsed.TotalSeconds:0.0} s");

        foreach (var run in new[] { fromServer, fromCatalog })
        {
            Assert.Equal(478, run.Count);
            var malformed = 0;
            foreach (var (tile, d) in run)
            {
                var expectMalformed = world.DistractorScenes.Any(x => x.Malformed && x.Scene.TileId == tile);
                // 3 real + 4 usable distractors (+1 malformed); the October scene is outside the window
                Assert.True((expectMalformed ? 8 : 7) == d.ItemCount, $"tile {tile}: {d.ItemCount} items, scenes {string.Join(" ", d.Scenes.Select(s => s.SceneId))}, issues {d.Issues.Count}");
                Assert.Equal(0, d.OtherTileItems);
                Assert.Equal(7, d.Scenes.Count);
                if (expectMalformed)
                {
                    var issue = Assert.Single(d.Issues);
                    Assert.True(world.IsMalformed(issue.SceneId));
                    Assert.Contains("SPATIAL_COVERAGE missing", issue.Problem);
                    Assert.Equal(tile, issue.TileId);
                    malformed++;
                }
                else Assert.Empty(d.Issues);
            }
            Assert.Equal(world.DistractorScenes.Count(x => x.Malformed), malformed);
            var selection = run.Select(p => SceneSelector.SelectTile(p.Key, p.Value.Scenes)).ToList();
            SceneSelectionTests.AssertSameAsReference(world, selection);
        }

        Assert.Equal(SceneCandidatesCsv.ToText(fromServer.Values.SelectMany(d => d.Scenes)),
            SceneCandidatesCsv.ToText(fromCatalog.Values.SelectMany(d => d.Scenes)));
        var textServer = SelectedScenesCsv.ToText(fromServer.SelectMany(p => SceneSelector.SelectTile(p.Key, p.Value.Scenes).Scenes));
        var textCatalog = SelectedScenesCsv.ToText(fromCatalog.SelectMany(p => SceneSelector.SelectTile(p.Key, p.Value.Scenes).Scenes));
        Assert.Equal(textServer, textCatalog);
        Assert.Equal(1434 + 1, textServer.Count(c => c == '\n'));
        // Every search was paged (page size 4 for 7-8 items) and every UMM-G was fetched once.
        Assert.Equal(478 * 2, server.Requests.Count(r => r.PathAndQuery == "/search"));
        Assert.Equal(fromServer.Values.Sum(d => d.ItemCount), server.Requests.Count(r => r.PathAndQuery.EndsWith(".umm_json")));
    }

    [Fact]
    public async Task The_original_datetime_string_on_a_strict_catalog_would_lose_the_scenes_of_2022_09_30()
    {
        // The real output has 33 scenes sensed on 2022-09-30 after 00:00Z; CMR returned them for an end of
        // 2022-09-30T00:00:00Z. A strict interval (static catalog, most STAC servers) drops them.
        var world = ReferenceWorld.Instance.Value;
        var lastDay = world.Reference.Where(s => s.Date == new DateOnly(2022, 9, 30)).ToList();
        Assert.Equal(33, lastDay.Count);
        var tiles = lastDay.Select(s => s.TileId).Distinct().Take(5).ToList();
        using var tmp = new TempDir();
        world.WriteCmrCatalog(tmp.Path, tiles);
        var catalog = StaticCatalog.Open(tmp.Path);
        foreach (var (datetime, expectKept) in new[] { (HlsDiscoveryOptions.OriginalDatetime, false), (HlsDiscoveryOptions.DefaultDatetime, true) })
        {
            var discovery = new HlsSceneDiscovery(catalog, new HlsDiscoveryOptions { Datetime = datetime });
            foreach (var tile in tiles)
            {
                var d = await discovery.DiscoverTileAsync(tile, world.ChipFootprint(tile));
                var ids = d.Scenes.Select(s => s.SceneId).ToHashSet();
                Assert.All(lastDay.Where(s => s.TileId == tile), s => Assert.Equal(expectKept, ids.Contains(s.SceneId)));
            }
        }
    }

    [Fact]
    public async Task Discovery_survives_429_500_and_405_from_the_server()
    {
        var world = ReferenceWorld.Instance.Value;
        var tiles = world.Tiles.Take(12).ToList();
        await using var server = world.StartCmrServer();
        server.RejectPost = true;
        server.Faults.Enqueue(new Fault("/search", 429, RetryAfter: "0") { Remaining = 3 });
        server.Faults.Enqueue(new Fault("/search/concepts/", 500) { Remaining = 5 });
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { BaseBackoff = TimeSpan.FromMilliseconds(10) });
        var run = await DiscoverAll(client, world, tiles);
        Assert.True(client.PostUnsupported);
        var selection = run.Select(p => SceneSelector.SelectTile(p.Key, p.Value.Scenes)).SelectMany(t => t.Scenes).ToList();
        var expected = world.Reference.Where(s => tiles.Contains(s.TileId)).Select(s => s.SceneId).Order(StringComparer.Ordinal);
        Assert.Equal(expected, selection.Select(s => s.Scene.SceneId).Order(StringComparer.Ordinal));
        Assert.Equal(3, server.Requests.Count(r => r.Status == 429));
        Assert.Equal(5, server.Requests.Count(r => r.Status == 500));
    }

    [Fact]
    public async Task A_footprint_in_the_overlap_of_two_tiles_keeps_only_the_asked_tile()
    {
        var world = ReferenceWorld.Instance.Value;
        var tile = world.Tiles[0];
        var neighbour = world.Tiles[1];
        var (x, y) = world.Origin(tile);
        await using var server = world.StartCmrServer();
        using var client = new StacApiClient(server.BaseUri);
        var d = await new HlsSceneDiscovery(client, new HlsDiscoveryOptions { Datetime = ReferenceWorld.Datetime })
            .DiscoverTileAsync(tile, ReferenceWorld.Box(x + 0.99, y + 0.45, x + 1.01, y + 0.55));
        var neighbourItems = world.AllScenes.Count(s => s.TileId == neighbour && s.Date <= new DateOnly(2022, 9, 30));
        Assert.Equal(neighbourItems, d.OtherTileItems);
        Assert.All(d.Scenes, s => Assert.Equal(tile, s.TileId));
        Assert.Equal(7, d.Scenes.Count);
        // The neighbour's UMM-G documents were not even fetched.
        Assert.DoesNotContain(server.Requests, r => r.PathAndQuery.Contains($".T{neighbour}.") && r.PathAndQuery.EndsWith(".umm_json"));
    }

    [Fact]
    public async Task Items_without_metadata_or_with_unreadable_metadata_are_reported_not_fatal()
    {
        var world = ReferenceWorld.Instance.Value;
        var tile = world.Tiles[5];
        var scenes = world.Reference.Where(s => s.TileId == tile).OrderBy(s => s.Date).ToList();
        using var tmp = new TempDir();
        var w = new StaticCatalogWriter("t", "d");
        w.AddCollection(new StacCollectionSpec(HlsStacItems.CmrCollection, "d"));
        var fp = world.TileFootprint(tile);
        w.AddItem(HlsStacItems.CmrCollection, HlsStacItems.CmrItem(scenes[0], ReferenceWorld.SensingTime(scenes[0]), fp, $"./{scenes[0].SceneId}.umm_json"),
            [new StacSidecarFile(scenes[0].SceneId + ".umm_json", StacJson.ToBytes(world.Ummg(scenes[0])))]);
        w.AddItem(HlsStacItems.CmrCollection, HlsStacItems.CmrItem(scenes[1], ReferenceWorld.SensingTime(scenes[1]), fp, "./absent.umm_json"));
        w.AddItem(HlsStacItems.CmrCollection, HlsStacItems.CmrItem(scenes[2], ReferenceWorld.SensingTime(scenes[2]), fp, "./x.umm_json") with { Links = [] });
        w.Write(tmp.Path);
        var d = await new HlsSceneDiscovery(StaticCatalog.Open(tmp.Path), new HlsDiscoveryOptions { Datetime = ReferenceWorld.Datetime })
            .DiscoverTileAsync(tile, world.ChipFootprint(tile));
        Assert.Equal([scenes[0].SceneId], d.Scenes.Select(s => s.SceneId));
        Assert.Equal(2, d.Issues.Count);
        Assert.Contains(d.Issues, i => i.SceneId == scenes[1].SceneId && i.Problem.Contains("could not be read") && i.Problem.Contains("absent.umm_json"));
        Assert.Contains(d.Issues, i => i.SceneId == scenes[2].SceneId && i.Problem.Contains("no .umm_json link"));
        var drop = SceneSelector.SelectTile(tile, d.Scenes);
        Assert.False(drop.IsSelected);
    }

    [Fact]
    public void Per_tile_selection_output_changes_only_for_tiles_whose_choice_changes()
    {
        // The build runs one unit per tile: a tile's selected-scenes text is a pure function of its candidates and
        // the rules, so unchanged tiles produce identical bytes and their downstream units stay up to date.
        var world = ReferenceWorld.Instance.Value;
        var byTile = world.AllScenes.Where(s => !world.IsMalformed(s.SceneId) && s.Date <= new DateOnly(2022, 9, 30))
            .GroupBy(s => s.TileId).ToDictionary(g => g.Key, g => g.ToList());
        string Text(string tile, SelectionRules rules) => SelectedScenesCsv.ToText(SceneSelector.SelectTile(tile, byTile[tile], rules).Scenes);
        var strict = new SelectionRules { CloudCoverThreshold = 3 };
        var changed = byTile.Keys.Where(t => Text(t, SelectionRules.Default) != Text(t, strict)).ToHashSet();
        var expectChanged = world.Reference.Where(s => s.CloudCover > 3).Select(s => s.TileId).ToHashSet();
        Assert.Equal(expectChanged.Order(), changed.Order());
        Assert.InRange(changed.Count, 1, byTile.Count - 1);
        Assert.All(byTile.Keys.Except(changed), t => Assert.Equal(Text(t, SelectionRules.Default), Text(t, SelectionRules.Default with { })));
    }
}
