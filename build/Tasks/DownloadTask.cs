using System.Text.Json;
using CropData.Build.Context;
using CropData.Graph;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Build.Tasks;

[TaskName("download")]
[IsDependentOn(typeof(CidsTask))]
[TaskDescription("Stage 7: fetch every scene band by CID from IPFS (Kubo RPC, gateways, local CARs), verified block by block")]
public sealed class DownloadTask : UnitTask<DatasetContext, DownloadTask.BandUnit>
{
    public sealed record BandUnit(string Tile, string Scene, string Band, string Cid);

    private Lazy<IpfsFetcher>? _fetcher;

    public override IEnumerable<BandUnit> Units(DatasetContext c)
    {
        _fetcher = new Lazy<IpfsFetcher>(() => IpfsSetup.CreateFetcher(c));
        return Bands(c);
    }

    public static IEnumerable<BandUnit> Bands(DatasetContext c) =>
        new CidsTask().Units(c).Where(u => File.Exists(c.Paths.ScenePayload(u.Scene)))
            .SelectMany(u => CidsTask.ReadPayload(c, u.Scene).Select(b =>
            {
                SafeName.Check(u.Scene, "scene id");
                SafeName.Check(b.BandName, $"band name of scene {u.Scene}");
                if (b.Filename != $"{u.Scene}.{b.BandName}.tif")
                    throw new InvalidDataException($"scene {u.Scene}: file name '{b.Filename}' of band {b.BandName} is not '{u.Scene}.{b.BandName}.tif'");
                return new BandUnit(u.Tile, u.Scene, b.BandName, b.Cid);
            }));

    public override string UnitId(BandUnit u) => $"{u.Scene}.{u.Band}";

    public override string? ShardKey(BandUnit u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => c.Config.Ipfs.Concurrency;

    // The fingerprint holds this band's CID (its own record, so another band's new CID leaves it alone); the stamp
    // holds the file's sha256, so an existing file is checked against the stamp (cheap) instead of being trusted,
    // and a changed CID downloads again.
    public override UnitSpec Describe(BandUnit u, DatasetContext c) => new(
        Inputs: [c.Paths.BandCid(u.Scene, u.Band)],
        Outputs: [c.Paths.Band(u.Scene, u.Band)]);

    public override async Task RunAsync(BandUnit u, DatasetContext c, UnitOutputs o)
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
            var result = await _fetcher!.Value.FetchAsync(cid, staging, ct: c.CancellationToken);
            File.Move(staging, temp, overwrite: true);
            BandCache.Put(c.Paths.CidCache(u.Cid), temp);
            foreach (var f in result.Failures) o.Warn($"{u.Scene}.{u.Band} ({u.Cid}): {f}");
            if (File.Exists(failure)) File.Delete(failure);
        }
        catch (IpfsFetchException e)
        {
            WorkFile.Write(failure, new MissingCid(u.Cid, $"{u.Scene}.{u.Band}.tif", u.Band, u.Scene, e.Failures.Select(f => f.ToString()).ToList()));
            throw new InvalidOperationException($"{u.Scene}.{u.Band}.tif (CID {u.Cid}): {e.Message}", e);
        }
    }

    public override void Gather(DatasetContext c, IReadOnlyList<BandUnit> units, UnitOutputs o)
    {
        var missing = units.Where(u => !File.Exists(c.Paths.Band(u.Scene, u.Band)) && File.Exists(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .Select(u => WorkFile.Read<MissingCid>(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .OrderBy(m => m.Filename, StringComparer.Ordinal).ToList();
        o.WriteAllText(c.Paths.MissingCidsJson, MissingText(missing));
        var count = units.Count(u => File.Exists(c.Paths.Band(u.Scene, u.Band)));
        c.Log.Information($"download: {count} of {units.Count} band files verified in {Path.Combine(c.Paths.Root, "tiles")}" +
                          (missing.Count > 0 ? $"; {missing.Count} CIDs missing -> {c.Paths.MissingCidsJson}" : ""));
    }

    public static string MissingText(IReadOnlyList<MissingCid> missing) =>
        JsonSerializer.Serialize(missing, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NewLine = "\n" }) + "\n";

    public sealed record MissingCid(string Cid, string Filename, string BandName, string Scene, IReadOnlyList<string> Reasons);
}

[TaskName("check-cids")]
[IsDependentOn(typeof(CidsTask))]
[TaskDescription("Stage 7 check alone: ask every source whether each band CID is retrievable -> missing_cids.json")]
public sealed class CheckCidsTask : Graph.AsyncFrostingTask<DatasetContext>
{
    public override async Task RunAsync(DatasetContext c)
    {
        var fetcher = IpfsSetup.CreateFetcher(c);
        var bands = DownloadTask.Bands(c).ToList();
        using var gate = new SemaphoreSlim(c.Config.Ipfs.Concurrency);
        var results = await Task.WhenAll(bands.Select(async b =>
        {
            await gate.WaitAsync(c.CancellationToken);
            try { return (b, check: await fetcher.CheckAsync(Cid.Parse(b.Cid), c.CancellationToken)); }
            finally { gate.Release(); }
        }));
        var missing = results.Where(r => !r.check.Retrievable)
            .Select(r => new DownloadTask.MissingCid(r.b.Cid, $"{r.b.Scene}.{r.b.Band}.tif", r.b.Band, r.b.Scene, r.check.Reasons))
            .OrderBy(m => m.Filename, StringComparer.Ordinal).ToList();
        AtomicFile.WriteAllText(c.Paths.MissingCidsJson, DownloadTask.MissingText(missing));
        c.Log.Information($"check-cids: {results.Length - missing.Count} of {results.Length} CIDs retrievable; {missing.Count} missing -> {c.Paths.MissingCidsJson}");
        if (missing.Count > 0) throw new InvalidOperationException($"{missing.Count} CIDs are not retrievable from any source (see {c.Paths.MissingCidsJson})");
    }
}
