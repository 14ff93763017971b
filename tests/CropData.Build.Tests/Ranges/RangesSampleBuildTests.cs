using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using CropData.Build.Tests.Reliability;
using CropData.Dataset.Finishing;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Tests.Support;

namespace CropData.Build.Tests.Ranges;

/// <summary>
/// The whole host in download.mode ranges (issue 17) on the embedded sample, its CAR imported into the real js-ipfs
/// node and read over Kubo RPC block/get. A first build SIGKILLed while stage 8 fetches blocks leaves only blocks that
/// hash to their names in the cache; then two datasets of the data folder build at the same time sharing that cache
/// (one resuming the killed build): both give the chips of the shared whole-mode build byte for byte, with no tiles/
/// folder, no temp left in the cache, and each band's CID, size and bytes_read in the manifest.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class RangesSampleBuildTests(IpfsNodeFixture node)
{
    [Fact]
    public async Task A_killed_ranges_build_leaves_only_verified_blocks_and_two_builds_then_share_the_cache_at_once()
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

        // Killed at the first progress line of stage 8 (about 10 % of its units done): blocks are in the cache and the
        // other units are fetching (a kill timed from the stage's start can land before the first block on a busy machine).
        var killed = await HostProcess.RunAsync([$"--config={a.ConfigPath}", $"--root={a.Root}"],
            KillPlan.OnLine("reproject fetching", l => Regex.IsMatch(l, @"^reproject: \d+/\d+ units \(", RegexOptions.CultureInvariant)));
        Assert.True(killed.Killed && killed.ExitCode != 0, $"the build ended before the kill: {killed}");
        var cache = Path.Combine(a.DataDir, "cache", "blocks");
        var blocks = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        Assert.NotEmpty(blocks);
        foreach (var f in blocks)
        {
            // The name is the block's multihash in base32: re-hash the bytes against it.
            var cid = Cid.FromBytes([0x01, 0x55, .. Multibase.DecodeBase32(Path.GetFileName(f))]);
            Assert.True(cid.Matches(File.ReadAllBytes(f)), $"{f}: a cached block that does not hash to its name");
        }

        var runs = await Task.WhenAll(a.RunAsync(), b.RunAsync());
        foreach (var (result, log) in runs) Assert.True(result.ExitCode == 0, log);
        Assert.Contains("reproject (download.mode ranges): fetched", runs[1].Log);   // (the resumed build may have had nothing left to read)

        var whole = Path.Combine(await SampleBuild.WholeTemplateDataDir(), "training_datasets", "sample");
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
