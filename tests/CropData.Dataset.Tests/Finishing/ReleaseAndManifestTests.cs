using System.Text.Json.Nodes;
using CropData.Dataset.Finishing;

namespace CropData.Dataset.Tests.Finishing;

// Spec "Consumers": HuggingFace and baseline layouts; dataset manifest and verify.
public class ReleaseAndManifestTests
{
    private static readonly SplitResult Split = new(["203_335", "202_336"], ["203_337"], [], []);

    private static string MakeChips(TempFolder tmp)
    {
        var chips = tmp.File("chips_filtered");
        Directory.CreateDirectory(chips);
        foreach (var id in new[] { "203_335", "202_336", "203_337" })
        {
            File.WriteAllBytes(Path.Combine(chips, $"chip_{id}_merged.tif"), [1, 2, 3, (byte)id[^1]]);
            File.WriteAllBytes(Path.Combine(chips, $"chip_{id}.mask.tif"), [9, (byte)id[^1]]);
        }
        return chips;
    }

    private static GlobalStats Stats()
    {
        var h = new BandHistograms();
        for (int k = 0; k < 6; k++) h.AddKind(k, [0, 10]);
        return h.ComputeAll();
    }

    private static ClassWeights Weights()
    {
        var c = new ClassPixelCounts();
        for (int i = 1; i <= 13; i++) c.Add(i, 100 * i);
        return ClassWeights.Balanced(c);
    }

    [Fact]
    public void HuggingFace_layout_has_the_two_chip_folders_and_id_lists()
    {
        using var tmp = new TempFolder();
        var chips = MakeChips(tmp);
        var plan = ReleaseLayouts.HuggingFace(chips, Split);
        Assert.Equal([
            "training_chips/chip_202_336.mask.tif", "training_chips/chip_202_336_merged.tif",
            "training_chips/chip_203_335.mask.tif", "training_chips/chip_203_335_merged.tif",
            "validation_chips/chip_203_337.mask.tif", "validation_chips/chip_203_337_merged.tif"],
            plan.Copies.Select(c => c.Destination));
        var dest = tmp.File("hf");
        var r = ReleaseLayouts.Execute(plan, dest);
        Assert.Equal(6, r.Copied.Count);
        Assert.Equal("chip_202_336\nchip_203_335\n", File.ReadAllText(Path.Combine(dest, "training_data.txt")));
        Assert.Equal("chip_203_337\n", File.ReadAllText(Path.Combine(dest, "validation_data.txt")));
        // terratorch reads the list from inside the chips folder.
        Assert.Equal("chip_202_336\nchip_203_335\n", File.ReadAllText(Path.Combine(dest, "training_chips", "training_data.txt")));
        Assert.Equal(2, ReleaseLayouts.HuggingFace(chips, Split, listsInChipFolders: false).Files.Count);
        Assert.Equal(File.ReadAllBytes(Path.Combine(chips, "chip_203_337_merged.tif")),
            File.ReadAllBytes(Path.Combine(dest, "validation_chips", "chip_203_337_merged.tif")));

        // Second run: nothing to copy; an unplanned file is reported, and removed only on request.
        File.WriteAllText(Path.Combine(dest, "training_chips", "chip_999_999.mask.tif"), "old");
        var again = ReleaseLayouts.Execute(plan, dest);
        Assert.Empty(again.Copied);
        Assert.Equal(6, again.UpToDate.Count);
        Assert.Equal(["training_chips/chip_999_999.mask.tif"], again.Stale);
        Assert.True(File.Exists(Path.Combine(dest, "training_chips", "chip_999_999.mask.tif")));
        ReleaseLayouts.Execute(plan, dest, removeStale: true);
        Assert.False(File.Exists(Path.Combine(dest, "training_chips", "chip_999_999.mask.tif")));

        // A changed source is copied again.
        File.WriteAllBytes(Path.Combine(chips, "chip_203_335.mask.tif"), [7, 7, 7]);
        Assert.Equal(["training_chips/chip_203_335.mask.tif"], ReleaseLayouts.Execute(plan, dest).Copied);
    }

    [Fact]
    public void Missing_chip_files_fail_before_anything_is_copied()
    {
        using var tmp = new TempFolder();
        var chips = MakeChips(tmp);
        File.Delete(Path.Combine(chips, "chip_203_337.mask.tif"));
        var plan = ReleaseLayouts.HuggingFace(chips, Split);
        var e = Assert.Throws<FileNotFoundException>(() => ReleaseLayouts.Execute(plan, tmp.File("hf")));
        Assert.Contains("chip_203_337.mask.tif", e.Message);
        Assert.False(Directory.Exists(tmp.File("hf")));
    }

    [Fact]
    public void Baseline_layout_has_all_chips_headerless_ids_and_a_config_snippet()
    {
        using var tmp = new TempFolder();
        var chips = MakeChips(tmp);
        var dest = tmp.File("baseline");
        ReleaseLayouts.Execute(ReleaseLayouts.Baseline(chips, Split, Stats(), Weights()), dest);
        Assert.Equal(6, Directory.GetFiles(Path.Combine(dest, "chips")).Length);
        Assert.Equal("202_336\n203_335\n", File.ReadAllText(Path.Combine(dest, "train_ids.csv")));
        Assert.Equal("203_337\n", File.ReadAllText(Path.Combine(dest, "val_ids.csv")));
        var yaml = File.ReadAllText(Path.Combine(dest, "baseline_config.yaml"));
        var doc = new YamlDotNet.Serialization.Deserializer().Deserialize<Dictionary<string, object>>(yaml);
        var gs = (Dictionary<object, object>)doc["global_stats"];
        Assert.Equal(6, ((List<object>)gs["mean"]).Count);
        Assert.Equal("0.15", ((List<object>)gs["min"])[0]);
        var criterion = (Dictionary<object, object>)doc["criterion"];
        var weights = ((List<object>)criterion["weight"]).Select(o => double.Parse((string)o, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(13, weights.Count);
        Assert.Equal(1.0, weights.Sum(), 1e-12);
        Assert.Equal(Weights()[1], weights[0]);
        Assert.Equal("0", criterion["ignore_index"]);
        Assert.Equal("chips", doc["train_dataset_name"]);
        Assert.Equal("18", doc["input_channels"]);
    }

    private static JsonObject Config() => new() { ["split"] = new JsonObject { ["seed"] = "42", ["train_fraction"] = 0.8 }, ["a_key_first"] = 1 };

    private static string MakeDataset(TempFolder tmp)
    {
        var d = tmp.File("dataset");
        Directory.CreateDirectory(Path.Combine(d, "chips_filtered"));
        Directory.CreateDirectory(Path.Combine(d, ".build", "state"));
        Directory.CreateDirectory(Path.Combine(d, "report", ".build"));
        File.WriteAllText(Path.Combine(d, "chips_filtered", "chip_203_335_merged.tif"), "merged");
        File.WriteAllText(Path.Combine(d, "chips_filtered", "chip_203_335.mask.tif"), "mask");
        File.WriteAllText(Path.Combine(d, "train_ids.csv"), "ids\n203_335\n");
        File.WriteAllText(Path.Combine(d, "Zeta.txt"), "z");
        File.WriteAllText(Path.Combine(d, "report", ".build", "kept.txt"), "not the engine's state folder");
        File.WriteAllText(Path.Combine(d, ".build", "state", "db.json"), "engine state");
        return d;
    }

    [Fact]
    public void Manifest_lists_every_output_sorted_and_is_byte_stable()
    {
        using var tmp = new TempFolder();
        var d = MakeDataset(tmp);
        var inputs = new[] { new ManifestInput("b.tif", Cid: "bafyb", Size: 900, BytesRead: 300), new ManifestInput("a.tif", Sha256: "00ff", Size: 3) };
        var m = DatasetManifest.BuildAndWrite(d, Config(), inputs, "1.2.3");
        Assert.Equal(["Zeta.txt", "chips_filtered/chip_203_335.mask.tif", "chips_filtered/chip_203_335_merged.tif",
            "report/.build/kept.txt", "train_ids.csv"], m.Files.Select(f => f.Path));
        Assert.All(m.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("z"u8)), m.Files[0].Sha256);
        Assert.Equal(6, m.Files.Single(f => f.Path.EndsWith("_merged.tif")).Size);
        Assert.Equal(["a.tif", "b.tif"], m.Inputs.Select(i => i.Name));

        var bytes = File.ReadAllBytes(Path.Combine(d, DatasetManifest.FileName));
        // Writing the manifest does not change the next build (it excludes itself), nor does time.
        Assert.Equal(bytes, DatasetManifest.Build(d, Config(), inputs.Reverse(), "1.2.3").ToBytes());
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("\r", text);
        Assert.StartsWith("{\n  \"format_version\": 1,\n  \"tool_version\": \"1.2.3\",\n  \"config\": {\n    \"split\"", text);
        Assert.Contains("\"cid\": \"bafyb\"", text);
        // download.mode ranges: a band's bytes_read (the blocks read of it) follows its size.
        Assert.Contains("\"size\": 900,\n      \"bytes_read\": 300\n", text);

        var back = DatasetManifest.Read(Path.Combine(d, DatasetManifest.FileName));
        Assert.Equal(m.Files, back.Files);
        Assert.Equal(m.Inputs, back.Inputs);
        Assert.Equal(bytes, back.ToBytes());
    }

    [Fact]
    public void Verify_reports_missing_extra_and_changed_files()
    {
        using var tmp = new TempFolder();
        var d = MakeDataset(tmp);
        DatasetManifest.BuildAndWrite(d, Config(), [], "1.0");
        Assert.True(DatasetManifest.Verify(d).Ok);

        File.Delete(Path.Combine(d, "Zeta.txt"));
        File.WriteAllText(Path.Combine(d, "chips_filtered", "chip_203_335.mask.tif"), "MASK");      // same size
        File.WriteAllText(Path.Combine(d, "train_ids.csv"), "ids\n203_335\n202_336\n");              // other size
        File.WriteAllText(Path.Combine(d, "chips_filtered", "new.tif"), "new");
        File.WriteAllText(Path.Combine(d, ".build", "state", "db.json"), "changed engine state is ignored");
        var v = DatasetManifest.Verify(d);
        Assert.False(v.Ok);
        Assert.Equal(["Zeta.txt"], v.Missing);
        Assert.Equal(["chips_filtered/new.tif"], v.Extra);
        Assert.Equal(["chips_filtered/chip_203_335.mask.tif", "train_ids.csv"], v.Changed.Select(c => c.Path));
        Assert.Equal(4, v.Changed[0].ActualSize);
        Assert.Equal(20, v.Changed[1].ActualSize);
        var lines = v.Describe().ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains("missing: Zeta.txt", lines);
        Assert.Contains("changed: train_ids.csv (size 12 → 20)", lines);
    }

    [Fact]
    public void Reading_a_broken_manifest_names_the_file()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("m.json"), "{\"format_version\": 1}");
        Assert.Contains("m.json", Assert.Throws<InvalidDataException>(() => DatasetManifest.Read(tmp.File("m.json"))).Message);
        File.WriteAllText(tmp.File("n.json"), "not json");
        Assert.Contains("n.json", Assert.Throws<InvalidDataException>(() => DatasetManifest.Read(tmp.File("n.json"))).Message);
    }
}
