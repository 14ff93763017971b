using CropData.Build.Tests.Reliability;
using CropData.Graph;
using static CropData.Build.Tests.EngineOwnsDatasetTests;

namespace CropData.Build.Tests;

/// <summary>
/// Issue 14, cases 5 and 6 (a class of its own so it runs beside <see cref="EngineOwnsDatasetTests"/>): the generated
/// sample inputs shared by the datasets of a data folder are owned and healed like outputs, and two datasets forcing
/// them at the same moment both build.
/// </summary>
public class SharedSampleInputsTests
{
    [Fact]
    public async Task The_generated_sample_inputs_heal_and_two_datasets_sharing_the_data_folder_build_at_once()
    {
        using var b = await SampleBuild.BuiltAsync();
        await b.BuildOkAsync(); // the copied sample, settled in its new place
        string inputs = Path.Combine(b.DataDir, "sample_inputs");
        var generated = Hashes(inputs);

        // Case 5: any file of the generated tree deleted, or a stray one added, and the next build repairs the tree.
        File.Delete(Path.Combine(inputs, "stac", "easier", "HLSS30", "collection.json"));
        var item = generated.Keys.First(k => k.EndsWith(".umm_json", StringComparison.Ordinal));
        File.Delete(Path.Combine(inputs, item));
        File.WriteAllText(Path.Combine(inputs, "stac", "stray.json"), "{}");
        var r = await b.BuildOkAsync();
        Assert.Equal(1, r.Task("sample-data")!.Built);
        Assert.Equal(generated, Hashes(inputs));
        Assert.Contains(Path.Combine(inputs, "ipfs", "sample.car"), BuildState.OwnedFiles(Path.Combine(b.Dataset, ".build"), new Dictionary<string, string> { ["data_dir"] = b.DataDir }));

        // Case 6: a second dataset in the same data folder; both force the shared inputs at the same moment, building
        // whole (SharedFolderTests runs 10 rounds of the same race on the engine alone). Child processes, as two shells
        // would run them; the folder lock beside sample_inputs/ orders the writers.
        string second = Path.Combine(b.DataDir, "second.yaml");
        File.WriteAllText(second, File.ReadAllText(b.ConfigPath).Replace("train_dataset_name: sample", "train_dataset_name: second", StringComparison.Ordinal));
        string[] Args(string config) => [$"--config={config}", $"--root={b.Root}", "--jobs=1", "--force=sample-data"];
        var runs = await Task.WhenAll(HostProcess.RunAsync(Args(b.ConfigPath), workingDirectory: b.Root), HostProcess.RunAsync(Args(second), workingDirectory: b.Root));
        foreach (var run in runs) Assert.True(run.ExitCode == 0, run.ToString());
        // Both datasets catch up with the regenerated (identical) inputs: nothing but bookkeeping.
        foreach (var config in new[] { b.ConfigPath, second })
        {
            var run = await HostProcess.RunAsync([$"--config={config}", $"--root={b.Root}"], workingDirectory: b.Root);
            Assert.True(run.ExitCode == 0 && !run.Output.Contains("chips: 16 of 16 units to build", StringComparison.Ordinal), run.ToString());
        }
        Assert.Equal(generated, Hashes(inputs));
        Assert.Empty(Directory.EnumerateDirectories(b.DataDir, ".sample_inputs.*"));
        Assert.Equal(0, (await HostProcess.RunAsync([$"--config={second}", $"--root={b.Root}", "--target=verify"], workingDirectory: b.Root)).ExitCode);
        await VerifyAsync(b, ok: true);
    }
}
