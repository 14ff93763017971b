using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CropData.Dataset.Finishing;
using CropData.Dataset.Scenes;
using CropData.Ipfs.Import;
using CropData.Sample;
using CropData.Tests.Shared;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 18, scenes without CIDs (docs/PIPELINE.md stages 6-7). On the sample, <c>selection.cloud_cover_threshold: 10</c>
/// selects the decoy scene 2022229, which is not in the Easier catalog: without an https source its tile is left out,
/// said once; with one (a local server speaking LP DAAC's login and signed-URL redirects) the tile builds and every
/// band says where it came from and how it was verified.
/// </summary>
public class HttpsSourceTests
{
    private const string Decoy = "HLS.S30.T14SPJ.2022229T170851.v2.0";
    private const string CloudTen = "selection:\n  cloud_cover_threshold: 10";

    [Fact]
    public async Task Without_a_source_for_its_bands_the_tile_is_reported_once_and_nothing_fails()
    {
        using var b = await SampleBuild.WithInputsAsync(CloudTen);
        var result = await b.BuildOkAsync();

        Assert.Empty(result.Failures);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal($"tile 14SPJ not built: scene {Decoy} has no source for band(s) B02 B03 B04 B8A B11 B12 Fmask: " +
                     $"scene is not in the Easier STAC catalog {Path.Combine(b.DataDir, "sample_inputs", "stac", "easier", "catalog.json")}; " +
                     "https is not in download.order", warning.Message);
        var issues = SceneIssuesCsv.ReadFile(b.File("scene_issues.csv"));
        Assert.Equal(warning.Message, Assert.Single(issues).Problem);
        Assert.Equal(0, result.Task("download")!.Built); // the tile's other scenes are not fetched for nothing
        Assert.Equal("{}\n", File.ReadAllText(b.File("tile_payloads.json")));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(warning.Message), File.ReadAllText(b.File("report/index.html")));
    }

    [Fact]
    public async Task With_an_https_source_the_decoy_is_fetched_verified_where_possible_and_reported_per_band()
    {
        using var b = await SampleBuild.WithInputsAsync();
        var files = Path.Combine(b.DataDir, "lpdaac");
        var bands = SampleGenerator.WriteSceneBands(new SampleInputs(files, Path.Combine(b.Root, "data/cdl/2021_30m_cdls_kansas_clip.tif"),
            Path.Combine(b.Root, "data/classes/cdl_total_dst.csv"), Path.Combine(b.Root, "data/reference/clarkcga/selected_tiles.csv"), 20220315), Decoy, 3, files);
        var token = "tok-" + Guid.NewGuid().ToString("N");
        var tokenEnv = "CROPDATA_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(tokenEnv, token);
        using var server = new EarthdataLikeServer(files, token);
        // The UMM-G states checksums for some files (SHA-256, one MD5), none for Fmask (it stays of unverified origin).
        var checksums = new Dictionary<string, FileChecksum>
        {
            ["B02"] = new("SHA-256", Hash(bands[0], SHA256.HashData)), ["B03"] = new("SHA-256", Hash(bands[1], SHA256.HashData)),
            ["B04"] = new("MD5", Hash(bands[2], MD5.HashData)), ["B8A"] = new("SHA-256", Hash(bands[3], SHA256.HashData)),
            ["B11"] = new("SHA-256", Hash(bands[4], SHA256.HashData)), ["B12"] = new("SHA-256", Hash(bands[5], SHA256.HashData)),
        };
        var cmr = CmrCatalogServedBy(b, server, checksums);
        b.WriteConfig(CloudTen + $"\ndownload:\n  order: [ipfs, https]\n  auth_hosts: [\"{server.AuthHost}\"]",
            text => text.Replace("cmr_url: ${data_dir}/sample_inputs/stac/cmr/catalog.json", $"cmr_url: {cmr}\n  token_env: {tokenEnv}"));

        var result = await b.BuildOkAsync();

        Assert.DoesNotContain(result.Warnings, w => w.Task is "cids" or "download"); // the sample's usual QA and class warnings only
        var selected = SelectedScenesCsv.ReadFile(b.File("selected_scenes.csv"));
        Assert.Contains(selected, s => s.Scene.SceneId == Decoy);
        Assert.Equal(15, File.ReadLines(b.File("track_chips.csv")).Count() - 1);

        // tile_payloads.json: the decoy's bands came over https; the others from IPFS with the original's three keys.
        var payloads = TilePayloadsJson.ReadFile(b.File("tile_payloads.json"));
        Assert.All(payloads.Where(p => p.Key != Decoy).SelectMany(p => p.Value), x => Assert.Null(x.Source));
        var decoy = payloads[Decoy].ToDictionary(x => x.BandName);
        Assert.Equal(["B02", "B03", "B04", "B8A", "B11", "B12", "Fmask"], payloads[Decoy].Select(x => x.BandName));
        Assert.All(decoy.Values, x => Assert.Equal("https", x.Source));
        Assert.Equal("umm-g SHA-256", decoy["B02"].Verified);
        Assert.Equal("umm-g MD5", decoy["B04"].Verified);
        Assert.Equal("unverified origin", decoy["Fmask"].Verified);
        var fmask = bands[6];
        Assert.Equal(Hash(fmask, SHA256.HashData).ToLowerInvariant(), decoy["Fmask"].Sha256);
        Assert.Equal(CidCalculator.ForFile(fmask), decoy["Fmask"].Cid); // the CID a Kubo node would give it
        Assert.Equal(server.Href($"{Decoy}.Fmask.tif"), decoy["Fmask"].Url);
        Assert.Equal(File.ReadAllBytes(fmask), File.ReadAllBytes(b.File($"tiles/{Decoy}/{Decoy}.Fmask.tif")));

        // The manifest lists the same, marked; scene_issues.csv and the report hold the per-scene decision.
        var input = DatasetManifest.Read(b.File("dataset.manifest.json")).Inputs.Single(i => i.Name == $"{Decoy}.Fmask.tif");
        Assert.Equal(("unverified origin", decoy["Fmask"].Sha256, decoy["Fmask"].Cid), (input.Verified, input.Sha256, input.Cid));
        Assert.Contains(SceneIssuesCsv.ReadFile(b.File("scene_issues.csv")),
            i => i.SceneId == Decoy && i.Problem.Contains("band(s) Fmask: no CID (scene is not in the Easier STAC catalog", StringComparison.Ordinal)
                 && i.Problem.EndsWith("source https (LP DAAC href), checked by unverified origin", StringComparison.Ordinal));
        var report = File.ReadAllText(b.File("report/index.html"));
        Assert.Contains($"<tr><td class=\"small\">{Decoy}</td><td>B02 B03 B8A B11 B12</td><td>https</td><td>umm-g SHA-256</td></tr>", report);
        Assert.Contains($"<tr><td class=\"small\">{Decoy}</td><td>Fmask</td><td>https</td><td><b>unverified origin</b></td></tr>", report);

        // The token reached the data host and the login host, never the signed S3 URL (whose server refuses it).
        Assert.Equal(7, server.Requests.Count(r => r.Server == "s3"));
        Assert.All(server.Requests, r => Assert.Equal(r.Server == "s3" ? null : "Bearer " + token, r.Authorization));
        await b.BuildOkAsync("--target=verify");
        Environment.SetEnvironmentVariable(tokenEnv, null);
    }

    private static string Hash(string file, Func<byte[], byte[]> hash) => Convert.ToHexString(hash(File.ReadAllBytes(file)));

    /// <summary>A copy of the sample's CMR catalog whose decoy UMM-G lists the local server's hrefs and the given checksums.</summary>
    private static string CmrCatalogServedBy(SampleBuild b, EarthdataLikeServer server, IReadOnlyDictionary<string, FileChecksum> checksums)
    {
        var dir = Path.Combine(b.DataDir, "cmr-https");
        CopyFolder(Path.Combine(b.DataDir, "sample_inputs", "stac", "cmr"), dir);
        var ummPath = Directory.EnumerateFiles(dir, Decoy + ".umm_json", SearchOption.AllDirectories).Single();
        var umm = JsonNode.Parse(File.ReadAllText(ummPath))!.AsObject();
        foreach (var url in umm["RelatedUrls"]!.AsArray().OfType<JsonObject>())
            if (((string)url["URL"]!).StartsWith("https://", StringComparison.Ordinal))
                url["URL"] = server.Href(Path.GetFileName((string)url["URL"]!));
        umm["DataGranule"] = new JsonObject
        {
            ["ArchiveAndDistributionInformation"] = new JsonArray(checksums.Select(kv => (JsonNode?)new JsonObject
            {
                ["Name"] = $"{Decoy}.{kv.Key}.tif", ["Checksum"] = new JsonObject { ["Value"] = kv.Value.Value, ["Algorithm"] = kv.Value.Algorithm },
            }).ToArray()),
        };
        File.WriteAllText(ummPath, umm.ToJsonString());
        return Path.Combine(dir, "catalog.json");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
