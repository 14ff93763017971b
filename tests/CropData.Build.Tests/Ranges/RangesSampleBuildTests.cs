using System.Net.Http.Headers;
using CropData.Dataset.Finishing;
using CropData.Ipfs.Tests.Support;

namespace CropData.Build.Tests.Ranges;

/// <summary>
/// The whole host in download.mode ranges (issue 17) on the embedded sample, its CAR imported into the real js-ipfs
/// node and read over Kubo RPC block/get: two datasets of one data folder built at the same time share the block
/// cache, and both give the chips of the shared whole-mode build byte for byte, with no tiles/ folder, no partial
/// block left in the cache, and each band's CID and bytes_read in the manifest.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class RangesSampleBuildTests(IpfsNodeFixture node)
{
    [Fact]
    public async Task Two_ranges_builds_sharing_the_block_cache_at_once_give_the_whole_builds_chips()
    {
        using var a = await SampleBuild.WithInputsAsync();
        await ImportCarAsync(Path.Combine(a.DataDir, "sample_inputs", "ipfs", "sample.car"));
        string Config(string name) => File.ReadAllText(a.ConfigPath)
            .Replace("  enabled: true", "  enabled: false")          // the inputs are there; neither build regenerates them
            .Replace("train_dataset_name: sample", $"train_dataset_name: {name}")
            .Replace("    - kind: car\n      path: ${data_dir}/sample_inputs/ipfs", $"    - kind: kubo\n      url: {node.Api}")
            + "\ndownload:\n  mode: ranges\n";
        using var b = new SampleBuild();                     // only its config file: data_dir is a's
        File.WriteAllText(b.ConfigPath, Config("sample-b"));
        File.WriteAllText(a.ConfigPath, Config("sample"));
        Assert.Contains("kind: kubo", File.ReadAllText(a.ConfigPath));

        var runs = await Task.WhenAll(a.RunAsync(), b.RunAsync());
        foreach (var (result, log) in runs)
        {
            Assert.True(result.ExitCode == 0, log);
            Assert.Contains("reproject (download.mode ranges): fetched", log);
        }

        var whole = Path.Combine(await SampleBuild.TemplateDataDir(), "training_datasets", "sample");
        foreach (var dataset in new[] { "sample", "sample-b" })
        {
            var root = Path.Combine(a.DataDir, "training_datasets", dataset);
            Assert.False(Directory.Exists(Path.Combine(root, "tiles")), $"{dataset}: tiles/ written in ranges mode");
            var expected = Directory.GetFiles(Path.Combine(whole, "chips")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Directory.GetFiles(Path.Combine(root, "chips")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
            foreach (var f in expected)
                Assert.True(File.ReadAllBytes(Path.Combine(whole, "chips", f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, "chips", f!))),
                    $"{dataset}: chips/{f} differs from the whole-mode build");
            var bands = DatasetManifest.Read(Path.Combine(root, DatasetManifest.FileName)).Inputs.Where(i => i.Cid is not null).ToList();
            Assert.Equal(21, bands.Count);
            Assert.All(bands, b => Assert.True(b.BytesRead > 0 && b.BytesRead <= b.Size, $"{b.Name}: bytes_read {b.BytesRead} of {b.Size}"));
        }
        var cache = Path.Combine(a.DataDir, "cache", "blocks");
        Assert.NotEmpty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(cache, ".*.tmp", SearchOption.AllDirectories));
    }

    private async Task ImportCarAsync(string car)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(car));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", Path.GetFileName(car));
        using var resp = await node.Http.PostAsync(new Uri(node.Api, "/api/v0/dag/import"), form);
        Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
    }
}
