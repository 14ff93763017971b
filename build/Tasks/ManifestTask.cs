using CropData.Build.Context;
using CropData.Dataset.Finishing;
using CropData.Graph;

namespace CropData.Build.Tasks;

[TaskName("manifest")]
[IsDependentOn(typeof(ExportTask))]
[TaskDescription("dataset.manifest.json: every output file with size and sha256, the config, every input's CID/sha256")]
public sealed class ManifestTask : FrostingTask<DatasetContext>
{
    public override bool ShouldRun(DatasetContext c) => c.Options.Shard is null;

    // Only files a unit owns are listed (the engine's stamps say which); anything else in the folder was written by
    // nobody the build knows, so it is named here, left out, and makes verify fail until `clean` removes it.
    public override void Run(DatasetContext c)
    {
        var (owned, unowned) = c.State.DatasetFiles();
        if (unowned.Count > 0)
            c.Log.Warning($"manifest: {unowned.Count} file(s) in the dataset folder are outputs of no unit and are not in the manifest: " +
                          string.Join(", ", unowned.Take(5)) + (unowned.Count > 5 ? ", ..." : "") + " (./build.sh --target=clean removes them)");
        var manifest = DatasetManifest.Build(c.Paths.Root, c.Loaded.Tree, Inputs(c), DatasetContext.ToolVersion, c.Sha256Of,
            files: owned);
        AtomicFile.WriteAllBytes(c.Paths.Manifest, manifest.ToBytes());
        c.Log.Information($"manifest: {manifest.Files.Count} files -> {c.Paths.Manifest}");
    }

    /// <summary>Scenes by CID (tile_payloads.json; bands not from IPFS also with sha256, url and how they were verified,
    /// "unverified origin" when nothing could), committed inputs by sha256 (CDL, grids, tables).</summary>
    private static IEnumerable<ManifestInput> Inputs(DatasetContext c)
    {
        var inputs = new List<ManifestInput>();
        foreach (var path in c.InputFiles)
        {
            var full = c.Resolve(path);
            if (File.Exists(full)) inputs.Add(new ManifestInput(path.Replace('\\', '/'), Sha256: c.Sha256Of(full), Size: new FileInfo(full).Length));
        }
        var ranges = c.RangesMode ? c.State.RangeReadsByCid() : new Dictionary<string, (long Size, long BytesRead)>();
        if (File.Exists(c.Paths.TilePayloadsJson))
            foreach (var (_, bands) in Dataset.Scenes.TilePayloadsJson.ReadFile(c.Paths.TilePayloadsJson))
                foreach (var b in bands)
                {
                    var read = ranges.TryGetValue(b.Cid, out var r) ? r : ((long Size, long BytesRead)?)null;
                    inputs.Add(new ManifestInput(b.Filename, Cid: b.Cid, Sha256: b.Sha256, Size: read?.Size, Url: b.Url, Verified: b.Verified, BytesRead: read?.BytesRead));
                }
        return inputs.OrderBy(i => i.Name, StringComparer.Ordinal);
    }
}
