using System.Reflection;
using CropData.Build.Context;
using CropData.Build.Tasks;
using CropData.Geo;
using CropData.Graph;

namespace CropData.Build.Tests.Shards;

/// <summary>
/// Issue 10.1 at full scale without building anything: the 5,000 chips of the published grid assigned to their
/// tiles with the real TileAssigner, then partitioned the way --shard=K/N partitions every per-tile unit.
/// </summary>
public class ShardPartitionTests
{
    private static readonly Lazy<IReadOnlyList<ChipTile>> Assigned = new(() =>
    {
        var root = SampleBuild.RepoRoot();
        using var assigner = TileAssigner.LoadFromRepo(root);
        return assigner.Assign(ChipGrid.LoadFromRepo(root).Chips);
    });

    private static Dictionary<string, int> ShardOfTiles(IEnumerable<string> tiles, int n) =>
        tiles.Distinct().ToDictionary(t => t, t => Enumerable.Range(1, n).Single(k => new ShardSpec(k, n).Contains(t)));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    public void Tiles_of_the_5000_chips_fall_into_exactly_one_shard_each(int n)
    {
        var chips = Assigned.Value;
        Assert.Equal(5000, chips.Count);
        var tiles = chips.Select(c => c.Tile).Distinct(StringComparer.Ordinal).ToList();
        Assert.InRange(tiles.Count, 300, 600); // the README's "~480 tiles"

        var shards = Enumerable.Range(1, n).Select(k => tiles.Where(new ShardSpec(k, n).Contains).ToHashSet(StringComparer.Ordinal)).ToList();
        Assert.Equal(tiles.Count, shards.Sum(s => s.Count));                        // disjoint
        Assert.True(shards.SelectMany(s => s).ToHashSet().SetEquals(tiles));        // complete
        // Balanced enough to be worth sharding: no shard gets less than half or more than twice its share.
        Assert.All(shards, s => Assert.InRange(s.Count, tiles.Count / n / 2, tiles.Count * 2 / n + 1));
        // Chips follow their tile, so every chip is in exactly one shard too.
        var chipShards = chips.Select(c => shards.Count(s => s.Contains(c.Tile))).ToList();
        Assert.All(chipShards, count => Assert.Equal(1, count));
    }

    [Fact]
    public void Growing_the_aoi_keeps_every_tile_in_its_shard()
    {
        const int n = 8;
        var chips = Assigned.Value.OrderBy(c => c.ChipId, StringComparer.Ordinal).ToList();
        // Three AOIs, each containing the one before (a region first, then half the grid, then all of it).
        var aois = new[] { chips.Take(400).ToList(), chips.Take(2500).ToList(), chips };
        var before = ShardOfTiles(aois[0].Select(c => c.Tile), n);
        foreach (var aoi in aois.Skip(1))
        {
            var after = ShardOfTiles(aoi.Select(c => c.Tile), n);
            Assert.True(after.Count > before.Count, "the larger AOI should add tiles");
            foreach (var (tile, shard) in before) Assert.Equal(shard, after[tile]);
            // Each shard of the larger AOI holds everything it held before: a rerun of shard K only adds units.
            for (int k = 1; k <= n; k++)
            {
                var old = before.Where(kv => kv.Value == k).Select(kv => kv.Key).ToHashSet();
                var now = after.Where(kv => kv.Value == k).Select(kv => kv.Key).ToHashSet();
                Assert.True(old.IsSubsetOf(now), $"shard {k}/{n} lost tiles when the AOI grew");
            }
            before = after;
        }
    }

    [Fact]
    public void Every_per_tile_unit_of_a_tile_carries_the_tile_as_its_shard_key()
    {
        // A tile's search, selection, CIDs, downloads, warps, chips and statistics partials all land in one shard.
        const string tile = "14SPJ", scene = "HLS.S30.T14SPJ.2022074T171051.v2.0", chip = "chip_203_335";
        Assert.Equal(tile, new SearchTask().ShardKey(new SearchTask.TileUnit(tile, chip)));
        Assert.Equal(tile, new ScenesTask().ShardKey(tile));
        Assert.Equal(tile, new CidsTask().ShardKey(new SceneRef(tile, scene)));
        Assert.Equal(tile, new DownloadTask().ShardKey(new SceneBand(tile, scene, "B02", "bafkrei")));
        Assert.Equal(tile, new ReprojectTask().ShardKey(new StripUnit(tile, scene, "B02", 203, [chip])));
        Assert.Equal(tile, new ReprojectTilesTask().ShardKey(new SceneBand(tile, scene, "B02", "bafkrei")));
        Assert.Equal(tile, new ChipsTask().ShardKey(new ChipsTask.ChipUnit(chip, tile, [scene, scene, scene])));
        Assert.Equal(tile, new StatsTask().ShardKey(new StatsTask.TileUnit(tile, [chip])));
    }

    [Fact]
    public void Every_unit_task_is_either_tile_sharded_aggregate_or_deliberately_unkeyed()
    {
        // A new stage must be classified here: forgetting its shard key would download or warp in every shard.
        string[] tileKeyed = ["search", "scenes", "cids", "download", "reproject", "reproject-tiles", "chips", "stats"];
        // Every shard runs these for its whole AOI (cheap, needed by the keyed units), or their units come only
        // from the shard's own chips (filter, report: per-chip QA records that exist only where the chip was built).
        string[] unkeyed = ["sample-data", "aoi", "tiles", "filter", "report"];
        string[] aggregate = ["split", "export"];

        var unitTasks = typeof(DatasetContext).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && IsUnitTask(t))
            .ToDictionary(t => t.GetCustomAttribute<TaskNameAttribute>()!.Name, t => t);
        Assert.Equal(tileKeyed.Concat(unkeyed).Concat(aggregate).Order(StringComparer.Ordinal), unitTasks.Keys.Order(StringComparer.Ordinal));
        foreach (var name in aggregate)
            Assert.True(IsAggregate(unitTasks[name]), $"{name} must not run inside a shard");
        foreach (var name in tileKeyed.Concat(unkeyed))
            Assert.False(IsAggregate(unitTasks[name]), $"{name} must run inside a shard");
        // Stats has per-tile units in a shard (the partial histograms) and writes the global tables only outside one.
        Assert.False(IsAggregate(unitTasks["stats"]));
    }

    private static bool IsUnitTask(Type t)
    {
        for (var b = t.BaseType; b is not null; b = b.BaseType)
            if (b.IsGenericType && b.GetGenericTypeDefinition() == typeof(UnitTask<,>)) return true;
        return false;
    }

    private static bool IsAggregate(Type t) => (bool)t.GetProperty("IsAggregate")!.GetValue(Activator.CreateInstance(t))!;
}
