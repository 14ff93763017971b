using System.Text;
using System.Text.Json.Nodes;
using CropData.Build.Context;
using CropData.Graph;
using Xunit.Abstractions;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Issue 11.4: ids that come from remote catalogs never write outside the data folder (a clear error instead), and an
/// Earthdata token never appears in the log, the errors, the report, the manifest or any other file.
/// </summary>
[Collection(PathSafetyCollection.Name)]
public class PathSafetyTests(InputsFixture f, ITestOutputHelper output)
{
    public static TheoryData<string, bool> Names() => new()
    {
        { "HLS.S30.T14SPJ.2022074T171051.v2.0", true },
        { "B8A", true },
        { "HLS.S30.T14SPJ.2022074T171051.v2.0.Fmask.tif", true },
        { "../escaped", false },
        { "..", false },
        { "HLS.S30.T14SPJ.2022074T171051.v2.0/../../../../etc", false },
        { "HLS..S30", false },
        { "/etc/passwd", false },
        { "sub/dir", false },
        { "sub\\dir", false },
        { "C:\\Windows", false },
        { ".hidden", false },
        { "", false },
        { "HLS.S30\u0000.tif", false },
        { "HLS.S30\n.tif", false },
        { "HLS.S30.T14SPJ.2022074T171051.v2.0\n", false },
        { "HLS.S30\u001b[31m", false },
        { "HLS S30", false },
        { "~root", false },
        { "%2e%2e%2fescaped", false },
        { new string('a', 201), false },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_remote_id_is_a_path_segment_only_when_it_cannot_leave_its_folder(string id, bool safe)
    {
        if (safe)
        {
            Assert.Equal(id, SafeName.Check(id, "scene id"));
            return;
        }
        var e = Assert.Throws<InvalidDataException>(() => SafeName.Check(id, "scene id"));
        Assert.Contains("scene id '", e.Message);
        Assert.Contains("is not a safe file name", e.Message);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c)); // control characters are shown escaped, never printed
    }

    /// <summary>
    /// Hostile scene ids in both catalogs (the CMR item and its UMM-G GranuleUR, and the Easier item), dated so the
    /// selection takes them as the tile's first and last scene; the real middle scene must still be looked up and
    /// downloaded, the hostile ones fail with a clear error, and nothing appears outside the data folder.
    /// </summary>
    [Theory]
    [InlineData("HLS.S30.T14SPJ.2022061T170000.v2.0/../../../../../../../escaped-scene", "HLS.S30.T14SPJ.2022272T170000.v2.0/sub/dir")]
    [InlineData("HLS.S30.T14SPJ.2022061T170000.v2.0\u0007bell", "HLS.S30.T14SPJ.2022272T170000.v2.0\\..\\..\\escaped")]
    public async Task Hostile_scene_ids_from_the_catalogs_fail_clearly_and_write_nothing_outside_the_data_folder(string first, string last)
    {
        var w = new Workspace(f, "hostile-ids");
        var cat = Path.Combine(w.Folder, "stac");
        ReliabilityFixture.CopyTree(Path.Combine(f.Inputs, "stac"), cat);
        AddScene(cat, first, "2022-03-02T17:00:00Z", "hostile-first");
        AddScene(cat, last, "2022-09-29T17:00:00Z", "hostile-last");
        w.WriteConfig(cmr: cat + "/cmr/catalog.json", easier: cat + "/easier/catalog.json");
        var before = Listing(f.Sandbox).Where(p => !p.StartsWith(Path.GetRelativePath(f.Sandbox, w.DataDir), StringComparison.Ordinal)).ToHashSet();

        var (r, log) = await w.RunInProcessAsync("--target=download");
        output.WriteLine(string.Join("\n", log.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal))));
        Assert.Equal(BuildHost.ExitFailed, r.ExitCode);
        var scenes = File.ReadAllLines(w.File("selected_scenes.csv")).Skip(1).Select(l => l.Split(',')[2]).ToList();
        Assert.Contains("HLS.S30.T14SPJ.2022179T170859.v2.0", scenes);
        foreach (var hostile in new[] { first, last })
        {
            var failure = Assert.Single(r.Failures, x => x.Task == "cids" && x.UnitId == hostile);
            Assert.Contains("is not a safe file name", failure.Message);
            Assert.Contains("scene id", failure.Message);
        }
        // The real middle scene goes on: its CIDs looked up, its 7 bands downloaded.
        Assert.Equal(["HLS.S30.T14SPJ.2022179T170859.v2.0"], r.Task("cids")!.UnitsWith(UnitStatus.Built).ToArray());
        Assert.Equal(7, r.Task("download")!.Built);

        // Nothing new anywhere in the sandbox outside this data folder, and inside it nothing named after a hostile id.
        var after = Listing(f.Sandbox).Where(p => !p.StartsWith(Path.GetRelativePath(f.Sandbox, w.DataDir), StringComparison.Ordinal)).ToHashSet();
        Assert.Empty(after.Except(before));
        Assert.DoesNotContain(Listing(w.DataDir), p => p.Contains("escaped", StringComparison.Ordinal) || p.Contains("bell", StringComparison.Ordinal)
                                                       || p.Contains("sub/dir", StringComparison.Ordinal) || p.Contains("hostile", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(w.Folder, "escaped-scene.json")));
    }

    private static IEnumerable<string> Listing(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/'));

    /// <summary>A CMR item + UMM-G (cloud 0, coverage 99) and an Easier item (the CIDs of a real scene) under a hostile id.</summary>
    private static void AddScene(string cat, string id, string datetime, string folder)
    {
        const string template = "HLS.S30.T14SPJ.2022074T171051.v2.0";
        var cmrDir = Path.Combine(cat, "cmr", "HLSS30_2.0", folder);
        Directory.CreateDirectory(cmrDir);
        var item = JsonNode.Parse(File.ReadAllText(Path.Combine(cat, "cmr", "HLSS30_2.0", template, template + ".json")))!;
        item["id"] = id;
        item["properties"]!["datetime"] = datetime;
        item["properties"]!["start_datetime"] = datetime;
        item["properties"]!["end_datetime"] = datetime;
        foreach (var l in item["links"]!.AsArray()) if ((string)l!["rel"]! == "via") l["href"] = folder + ".umm_json";
        File.WriteAllText(Path.Combine(cmrDir, folder + ".json"), item.ToJsonString());
        var umm = JsonNode.Parse(File.ReadAllText(Path.Combine(cat, "cmr", "HLSS30_2.0", template, template + ".umm_json")))!;
        umm["GranuleUR"] = id;
        foreach (var a in umm["AdditionalAttributes"]!.AsArray())
            if ((string)a!["Name"]! == "SENSING_TIME") a["Values"] = new JsonArray(datetime);
        umm["TemporalExtent"]!["RangeDateTime"]!["BeginningDateTime"] = datetime;
        umm["TemporalExtent"]!["RangeDateTime"]!["EndingDateTime"] = datetime;
        File.WriteAllText(Path.Combine(cmrDir, folder + ".umm_json"), umm.ToJsonString());
        Link(Path.Combine(cat, "cmr", "HLSS30_2.0", "collection.json"), $"./{folder}/{folder}.json");

        var easierDir = Path.Combine(cat, "easier", "HLSS30", folder);
        Directory.CreateDirectory(easierDir);
        var easier = JsonNode.Parse(File.ReadAllText(Path.Combine(cat, "easier", "HLSS30", template, template + ".json")))!;
        easier["id"] = id;
        File.WriteAllText(Path.Combine(easierDir, folder + ".json"), easier.ToJsonString());
        Link(Path.Combine(cat, "easier", "HLSS30", "collection.json"), $"./{folder}/{folder}.json");
    }

    private static void Link(string collection, string href)
    {
        var c = JsonNode.Parse(File.ReadAllText(collection))!;
        c["links"]!.AsArray().Add(new JsonObject { ["rel"] = "item", ["href"] = href, ["type"] = "application/geo+json" });
        File.WriteAllText(collection, c.ToJsonString());
    }

    /// <summary>
    /// The whole sample built against STAC APIs on 127.0.0.1 with EARTHDATA_TOKEN set: the token is sent (the server saw
    /// it), the server echoes it back in the error bodies of a retried 500, a retried 503 and a 403, and still it appears
    /// nowhere: not in stdout/stderr (diagnostic verbosity), not in any file of the data folder, .build included.
    /// </summary>
    [Fact]
    public async Task An_earthdata_token_never_appears_in_logs_errors_reports_or_manifests()
    {
        const string forbidden = "HLS.S30.T14SPJ.2022229T170851.v2.0"; // a decoy: the selection does not need it
        var token = "edl-token-" + Guid.NewGuid().ToString("N");
        using var api = new LocalStacApi(f.Inputs, forbidden);
        var w = new Workspace(f, "secret");
        w.WriteConfig(cmr: api.Url + "/cmr", easier: api.Url + "/easier");
        var text = File.ReadAllText(w.ConfigPath).Replace("stac:\n", "stac:\n  max_tries: 3\n  timeout_seconds: 20\n", StringComparison.Ordinal);
        File.WriteAllText(w.ConfigPath, text);

        var run = await w.RunAsync(new Dictionary<string, string?> { ["EARTHDATA_TOKEN"] = token }, "--verbosity=diagnostic");
        output.WriteLine($"build against the local STAC APIs: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:0.0} s, {api.Authorizations.Count} requests");
        Assert.True(run.ExitCode == 0, run.ToString().Replace(token, "<TOKEN>", StringComparison.Ordinal));
        Assert.All(api.Authorizations, a => Assert.Equal("Bearer " + token, a)); // it really was in use, on every request

        Assert.DoesNotContain(token, run.Output);
        var secret = Encoding.UTF8.GetBytes(token);
        var files = Directory.EnumerateFiles(w.Folder, "*", SearchOption.AllDirectories).ToList();
        foreach (var file in files)
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(secret) >= 0, $"{Path.GetRelativePath(w.Folder, file)} holds the token");
        output.WriteLine($"{files.Count} files checked");

        // The echoed bodies reached the messages, redacted: proof that the scrubbing ran, not that nothing was echoed.
        var issue = File.ReadAllText(w.File(".build/work/search/14SPJ.issues.csv"));
        Assert.Contains(forbidden, issue);
        Assert.Contains("HTTP 403", issue);
        Assert.Contains("access denied for Bearer ***", issue);
        Assert.Contains(run.Lines, l => l.Contains("HTTP 500", StringComparison.Ordinal) || l.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.True(File.Exists(w.File("dataset.manifest.json")) && File.Exists(w.File("report/index.html")));
    }
}
