using CropData.Dataset.Config;

namespace CropData.Dataset.Tests.Config;

public class ConfigLoaderTests
{
    [Fact]
    public void Empty_file_gives_the_defaults_of_the_original()
    {
        var c = ConfigLoader.Parse("").Config;
        Assert.Equal(5, c.Selection.CloudCoverThreshold);
        Assert.Equal([100, 90, 80, 70, 60, 50], c.Selection.CoverageThresholds);
        Assert.Equal(["B02", "B03", "B04", "B8A", "B11", "B12"], c.Bands);
        Assert.Equal("HLSS30_2.0", c.Stac.Collection);
        Assert.Equal("2022-03-01T00:00:00Z/2022-09-30T23:59:59Z", c.Stac.Datetime);
        Assert.Equal(50, c.Stac.Concurrency);
        Assert.Equal("original", c.Reproject.Mode);
        Assert.Equal("ranges", c.Download.Mode);         // verified range reads: chips byte-identical to whole files (docs/PIPELINE.md stage 8)
        Assert.Null(c.Download.BlockCacheMaxMb);
    }

    [Fact]
    public void File_values_override_defaults_and_keep_the_rest()
    {
        var loaded = ConfigLoader.Parse("""
            train_dataset_name: mine
            selection:
              cloud_cover_threshold: 10
            ipfs:
              sources:
                - kind: car
                  path: data/x.car
            """);
        Assert.Equal("mine", loaded.Config.TrainDatasetName);
        Assert.Equal(10, loaded.Config.Selection.CloudCoverThreshold);
        Assert.Equal(3, loaded.Config.Selection.MinScenes);
        Assert.Equal("car", Assert.Single(loaded.Config.Ipfs.Sources).Kind);
    }

    [Fact]
    public void Values_of_keys_are_canonical_and_change_only_with_their_key()
    {
        var a = ConfigLoader.Parse("selection: {cloud_cover_threshold: 5}");
        var b = ConfigLoader.Parse("selection: {cloud_cover_threshold: 6}");
        Assert.Equal("5", a.Value("selection.cloud_cover_threshold"));
        Assert.NotEqual(a.Value("selection"), b.Value("selection"));
        Assert.Equal(a.Value("bands"), b.Value("bands"));
        Assert.Equal("[\"B02\",\"B03\",\"B04\",\"B8A\",\"B11\",\"B12\"]", a.Value("bands"));
        Assert.Null(a.Value("no.such.key"));
    }

    // Bad input → one clear message naming the key (issue 11 table: input → expected fragment).
    [Theory]
    [InlineData("selection: {cloud_cover_treshold: 5}", "unknown key 'selection.cloud_cover_treshold'")]
    [InlineData("selection: {cloud_cover_threshold: five}", "key 'selection.cloud_cover_threshold'")]
    [InlineData("selection: {cloud_cover_threshold: 101}", "from 0 to 100")]
    [InlineData("tiles: {mode: closest}", "nearest-centroid or containing")]
    [InlineData("reproject: {mode: fast}", "original or exact")]
    [InlineData("bands: [B02, B99]", "'B99'")]
    [InlineData("aoi: {bbox: [10, 0, 5, 1]}", "min <= max")]
    [InlineData("aoi: {bbox: [-200, 0, 5, 1]}", "within ±180")]
    [InlineData("ipfs: {sources: [{kind: ftp, url: x}]}", "car, kubo, kubo-cat, gateway or trustless")]
    [InlineData("ipfs: {sources: [{kind: kubo, url: not-a-url}]}", "ipfs.sources[0].url")]
    [InlineData("selection: [1, 2]", "must be a mapping")]
    [InlineData("a: [unclosed", "test.yaml:1:4: '[' is never closed\n  1 | a: [unclosed")]
    [InlineData("filter:\n  max_bad_pct: 3\nsplit:\n\tseed: x", "test.yaml:4:1: a tab in the indentation (YAML indents with spaces only)\n  4 | \\tseed: x")]
    [InlineData("filter:\n  max_bad_pct: 'x\n", "test.yaml:2:16: malformed YAML")]
    [InlineData("filter:\n  max_bad_pct: lots", "key 'filter.max_bad_pct' (line 2, column 16) has the value 'lots' of the wrong type: expected a number")]
    [InlineData("- just\n- a list", "mapping of settings at the top level")]
    [InlineData("train_dataset_name: ../escape", "plain folder name")]
    [InlineData("selection: {cloud_cover_threshold: five}", "expected an integer")]
    [InlineData("filter: {max_bad_pct: lots}", "expected a number")]
    [InlineData("reproject: {write_tiles: maybe}", "expected true or false")]
    [InlineData("selection: {coverage_thresholds: [100, x]}", "expected an integer")]
    [InlineData("ipfs: {max_tries: 0}", "key 'ipfs.max_tries' = '0' is not allowed; expected an integer >= 1")]
    [InlineData("ipfs: {timeout_seconds: -5}", "key 'ipfs.timeout_seconds' = '-5'")]
    [InlineData("ipfs: {check_timeout_seconds: 0}", "ipfs.check_timeout_seconds")]
    [InlineData("stac: {timeout_seconds: 0}", "stac.timeout_seconds")]
    [InlineData("ipfs: {sources: [{kind: car, path: x, concurrency: 0}]}", "ipfs.sources[0].concurrency")]
    [InlineData("download: {mode: partial}", "key 'download.mode' = 'partial' is not allowed; expected whole or ranges")]
    [InlineData("download: {mode: ranges, block_cache_max_mb: 0}", "download.block_cache_max_mb")]
    public void Bad_config_names_the_key_and_what_is_allowed(string yaml, string fragment)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith("test.yaml", e.Message);
    }

    [Theory]
    // docs/PIPELINE.md stage 8: ranges is the default, and needs a source that serves single blocks; path gateways and
    // kubo-cat serve whole files only, so with nothing else the bands are fetched whole.
    [InlineData("", true)]
    [InlineData("download: {mode: whole}", false)]
    [InlineData("ipfs: {sources: [{kind: car, path: x}]}", true)]
    [InlineData("ipfs: {sources: [{kind: trustless, url: 'http://127.0.0.1:8080'}]}", true)]
    [InlineData("ipfs: {sources: [{kind: gateway, url: 'http://127.0.0.1:8080'}, {kind: kubo-cat, url: 'http://127.0.0.1:5001'}]}", false)]
    [InlineData("download: {mode: ranges}\nipfs: {sources: [{kind: gateway, url: 'http://127.0.0.1:8080'}]}", false)]
    public void Ranges_are_the_default_where_a_source_serves_blocks(string yaml, bool readsBlocks)
    {
        var c = ConfigLoader.Parse(yaml, "test.yaml").Config;
        Assert.Equal(readsBlocks, c.Download.ReadsBlocks(c.Ipfs));
    }

    [Fact]
    public void Committed_configs_load()
    {
        var root = RepoRoot();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "config"), "*.yaml"))
        {
            var loaded = ConfigLoader.Load(file);
            Assert.False(string.IsNullOrEmpty(loaded.Config.TrainDatasetName));
        }
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "CropData.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
