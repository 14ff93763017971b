namespace CropData.Geo.Tests;

public class ManifestTests
{
    private static DataManifest Manifest => DataManifest.LoadFromRepo(RepoPaths.Root);

    [Fact]
    public void Every_committed_input_matches_its_pin()
    {
        var problems = Manifest.Verify(RepoPaths.Root);
        Assert.True(problems.Count == 0, "data.manifest.json is out of date:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Every_file_under_data_is_pinned()
    {
        var listed = Manifest.Files.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var dataDir = Path.Combine(RepoPaths.Root, "data");
        // data/sample/generated/ is git-ignored build output; data/external/ holds the real-run downloads;
        // README.md files document inputs and are not inputs themselves.
        var unlisted = Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'))
            .Where(p => !p.StartsWith("data/sample/generated/", StringComparison.Ordinal) && !p.StartsWith("data/external/", StringComparison.Ordinal))
            .Where(p => !p.EndsWith(".md", StringComparison.Ordinal) && !listed.Contains(p))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(unlisted.Count == 0, "files under data/ missing from data.manifest.json:\n" + string.Join("\n", unlisted));
    }

    [Fact]
    public void Entries_carry_licence_and_origin_and_downloads_say_what_is_unpinned()
    {
        var m = Manifest;
        Assert.All(m.Files, e => Assert.False(string.IsNullOrWhiteSpace(e.Licence), e.Path));
        Assert.All(m.Files, e => Assert.StartsWith("https://", e.Url ?? "", StringComparison.Ordinal));
        var cdl = m["data/external/2022_30m_cdls.zip"];
        Assert.False(cdl.Committed);
        Assert.Equal("https://www.nass.usda.gov/Research_and_Science/Cropland/Release/datasets/2022_30m_cdls.zip", cdl.Url);
        Assert.Null(cdl.Sha256);
        Assert.Equal(DataManifest.UnpinnedNote, cdl.Note);
        Assert.Equal(m.Files.Select(e => e.Path).Order(StringComparer.Ordinal), m.Files.Select(e => e.Path));
    }

    [Fact]
    public void Save_round_trips_byte_for_byte()
    {
        using var tmp = new TempDir();
        var p = tmp.File("m.json");
        Manifest.Save(p);
        Assert.Equal(File.ReadAllText(RepoPaths.Data(DataManifest.FileName)), File.ReadAllText(p));
    }

    [Fact]
    public void A_changed_file_is_reported_with_both_hashes()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "data"));
        File.WriteAllText(Path.Combine(tmp.Path, "data", "x.csv"), "a\n");
        var m = new DataManifest
        {
            Files = [new ManifestEntry { Path = "data/x.csv", Sha256 = new string('0', 64), Size = 2, Url = "https://example.org/x.csv", Licence = "CC0", Committed = true }],
        };
        var problem = Assert.Single(m.Verify(tmp.Path));
        Assert.Contains("data/x.csv", problem);
        Assert.Contains(DataManifest.Sha256Of(Path.Combine(tmp.Path, "data", "x.csv")), problem);
        Assert.Empty(m.WithPin("data/x.csv", DataManifest.Sha256Of(Path.Combine(tmp.Path, "data", "x.csv")), 2).Verify(tmp.Path));
    }
}
