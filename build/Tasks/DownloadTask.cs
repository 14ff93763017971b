using CropData.Build.Context;
using CropData.Graph;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Build.Tasks;

[TaskName("download")]
[IsDependentOn(typeof(CidsTask))]
[TaskDescription("Stage 7: fetch every scene band by CID from IPFS (Kubo RPC, gateways, local CARs), verified block by block")]
public sealed class DownloadTask : UnitTask<DatasetContext, SceneBand>
{
    // download.mode ranges: stage 8 reads the blocks it needs straight from IPFS, so tiles/ is written only when
    // this target is asked for by name (whole files for other tools).
    public override bool ShouldRun(DatasetContext c) => !c.RangesMode || c.Options.Target == "download";

    public override IEnumerable<SceneBand> Units(DatasetContext c)
    {
        return c.State.SceneBands();
    }

    public override string UnitId(SceneBand u) => $"{u.Scene}.{u.Band}";

    public override string? ShardKey(SceneBand u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => c.Config.Ipfs.Concurrency;

    // The fingerprint holds this band's CID (its own record, so another band's new CID leaves it alone); the stamp
    // holds the file's sha256, so an existing file is checked against the stamp (cheap) instead of being trusted,
    // and a changed CID downloads again.
    public override UnitSpec Describe(SceneBand u, DatasetContext c) => new(
        Inputs: [c.Paths.BandCid(u.Scene, u.Band)],
        Outputs: [c.Paths.Band(u.Scene, u.Band)]);

    public override async Task RunAsync(SceneBand u, DatasetContext c, UnitOutputs o)
    {
        var failure = c.Paths.DownloadFailure(u.Scene, u.Band);
        var cid = Cid.Parse(u.Cid);
        // The fetcher writes "<staging>.<guid>.unverified" and moves it to the staging name once verified. Staged in
        // .build/fetch, not beside the band file: unverified bytes never sit in tiles/, and a fetch killed by SIGKILL
        // leaves its temps where only this unit (the one writer of this scene-band) looks for them.
        var staging = c.Paths.FetchStaging(u.Scene, u.Band);
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);
        foreach (var stale in Directory.EnumerateFiles(Path.GetDirectoryName(staging)!, Path.GetFileName(staging) + "*")) File.Delete(stale);
        // A band fetched before (by this dataset for a scene since deselected, or by another dataset of the data folder)
        // comes from the content-addressed cache: no download, and its bytes checked against the sha256 recorded with it.
        var temp = o.TempPathFor(c.Paths.Band(u.Scene, u.Band));
        if (BandCache.TryTake(c.Paths.CidCache(u.Cid), temp))
        {
            if (File.Exists(failure)) File.Delete(failure);
            return;
        }
        try
        {
            var result = await c.Fetcher.FetchAsync(cid, staging, ct: c.CancellationToken);
            File.Move(staging, temp, overwrite: true);
            foreach (var f in result.Failures) o.Warn($"{u.Scene}.{u.Band} ({u.Cid}): {f}");
            BandCache.Put(c.Paths.CidCache(u.Cid), temp);
            if (File.Exists(failure)) File.Delete(failure);
        }
        catch (IpfsFetchException e)
        {
            WorkFile.Write(failure, new MissingCid(u.Cid, $"{u.Scene}.{u.Band}.tif", u.Band, u.Scene, e.Failures.Select(f => f.ToString()).ToList()));
            throw new InvalidOperationException($"{u.Scene}.{u.Band}.tif (CID {u.Cid}): {e.Message}", e);
        }
    }

    public override void Gather(DatasetContext c, IReadOnlyList<SceneBand> units, UnitOutputs o)
    {
        var missing = units.Where(u => !File.Exists(c.Paths.Band(u.Scene, u.Band)) && File.Exists(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .Select(u => WorkFile.Read<MissingCid>(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .OrderBy(m => m.Filename, StringComparer.Ordinal).ToList();
        o.WriteAllText(c.Paths.MissingCidsJson, MissingCids.Text(missing));
        var count = units.Count(u => File.Exists(c.Paths.Band(u.Scene, u.Band)));
        c.Log.Information($"download: {count} of {units.Count} band files verified in {Path.Combine(c.Paths.Root, "tiles")}" +
                          (missing.Count > 0 ? $"; {missing.Count} CIDs missing -> {c.Paths.MissingCidsJson}" : ""));
    }

}
