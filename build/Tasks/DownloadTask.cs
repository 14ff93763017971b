using CropData.Build.Context;
using CropData.Dataset.Config;
using CropData.Dataset.Scenes;
using CropData.Graph;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.Stac.Download;

namespace CropData.Build.Tasks;

[TaskName("download")]
// Where from and how: every band is verified (its CID, else its UMM-G checksum) or recorded as of unverified origin,
// whatever the peer or server; the order of sources comes in through each band's plan, an input.
[UsesConfig("ipfs", "download.auth_hosts", "download.max_tries", "download.timeout_seconds", "download.mode", "stac.token_env")]
[IsDependentOn(typeof(CidsTask))]
[TaskDescription("Stage 7: fetch every scene band from its sources in download.order (IPFS by CID, verified block by block; LP DAAC https, verified against the CID or UMM-G checksum) -> tile_payloads.json")]
public sealed class DownloadTask : UnitTask<DatasetContext, SceneBand>
{
    // 2: a record per band of where it came from and how it was verified; tile_payloads.json is written here.
    public override string Version => "2";

    // download.mode ranges: stage 8 reads the bands that have a CID straight from IPFS (the blocks it needs), so only
    // the bands without one (https) are fetched whole, unless this target is asked for by name (whole files for other tools).
    public override IEnumerable<SceneBand> Units(DatasetContext c) =>
        c.RangesMode && c.Options.Target != "download" ? c.State.SceneBands().Where(b => b.Cid is null) : c.State.SceneBands();

    public override string UnitId(SceneBand u) => $"{u.Scene}.{u.Band}";

    public override string? ShardKey(SceneBand u) => u.Tile;

    public override int MaxParallelism(DatasetContext c) => c.Config.Ipfs.Concurrency;

    // The fingerprint holds this band's plan (its own record, so another band's new CID leaves it alone); the stamp
    // holds the file's sha256, so an existing file is checked against the stamp (cheap) instead of being trusted,
    // and a changed CID, href or source order downloads again.
    public override UnitSpec Describe(SceneBand u, DatasetContext c) => new(
        Inputs: [c.Paths.BandPlan(u.Scene, u.Band)],
        Outputs: [c.Paths.Band(u.Scene, u.Band), c.Paths.BandRecord(u.Scene, u.Band)]);

    public override async Task RunAsync(SceneBand u, DatasetContext c, UnitOutputs o)
    {
        var plan = c.State.BandPlan(u.Scene, u.Band);
        var failure = c.Paths.DownloadFailure(u.Scene, u.Band);
        // Fetches write "<staging>…" and move it to the band's temp only once verified. Staged in .build/fetch, not beside
        // the band file: unverified bytes never sit in tiles/, and a fetch killed by SIGKILL leaves its temps where only
        // this unit (the one writer of this scene-band) looks for them.
        var staging = c.Paths.FetchStaging(u.Scene, u.Band);
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);
        foreach (var stale in Directory.EnumerateFiles(Path.GetDirectoryName(staging)!, Path.GetFileName(staging) + "*")) File.Delete(stale);
        var temp = o.TempPathFor(c.Paths.Band(u.Scene, u.Band));
        var reasons = new List<string>();
        // docs/PIPELINE.md stage 7: the band's sources in download.order; the first that delivers verified bytes wins.
        foreach (var kind in plan.Sources)
        {
            BandCid? record = kind == DownloadConfig.Ipfs
                ? await FromIpfsAsync(u, plan, c, o, staging, temp, reasons)
                : await FromHttpsAsync(u, plan, c, staging, temp, reasons);
            if (record is null) continue;
            WorkFile.Write(o.TempPathFor(c.Paths.BandRecord(u.Scene, u.Band)), record);
            if (File.Exists(failure)) File.Delete(failure);
            return;
        }
        if (plan.Cid is not null) WorkFile.Write(failure, new MissingCid(plan.Cid, plan.Filename, u.Band, u.Scene, reasons));
        throw new InvalidOperationException($"{plan.Filename}" + (plan.Cid is null ? "" : $" (CID {plan.Cid})") +
                                            $": no source delivered it: {string.Join("; ", reasons)}");
    }

    /// <summary>By CID from the cache or the IPFS sources, verified block by block; null (and why, in reasons) when none served it.</summary>
    private static async Task<BandCid?> FromIpfsAsync(SceneBand u, BandPlan plan, DatasetContext c, UnitOutputs o, string staging, string temp, List<string> reasons)
    {
        var cid = plan.Cid!;
        var record = new BandCid(plan.Filename, cid, u.Band);
        // A band fetched before (by this dataset for a scene since deselected, or by another dataset of the data folder)
        // comes from the content-addressed cache: no download, and its bytes checked against the sha256 recorded with it.
        // Copied into staging and checked there, like a fetch: a damaged entry's bytes never sit in tiles/, even as a temp.
        if (BandCache.TryTake(c.Paths.CidCache(cid), staging))
        {
            File.Move(staging, temp, overwrite: true);
            return record;
        }
        try
        {
            var result = await c.Fetcher.FetchAsync(Cid.Parse(cid), staging, ct: c.CancellationToken);
            File.Move(staging, temp, overwrite: true);
            foreach (var f in result.Failures) o.Warn($"{u.Scene}.{u.Band} ({cid}): {f}");
            BandCache.Put(c.Paths.CidCache(cid), temp);
            return record;
        }
        catch (IpfsFetchException e)
        {
            reasons.AddRange(e.Failures.Select(f => f.ToString()));
            if (plan.Sources.Count == 1) throw new InvalidOperationException($"{plan.Filename} (CID {cid}): {e.Message}", e);
            return null;
        }
    }

    /// <summary>
    /// From the granule's https href with the Earthdata credentials, then verified against the Easier CID when there is
    /// one (the bytes must re-import to it), else the UMM-G checksum when there is one; otherwise recorded as of
    /// unverified origin with its sha256 and the CID a Kubo node would give it.
    /// </summary>
    private static async Task<BandCid?> FromHttpsAsync(SceneBand u, BandPlan plan, DatasetContext c, string staging, string temp, List<string> reasons)
    {
        var href = new Uri(plan.Href!);
        string cid, verified;
        try
        {
            await c.Https.DownloadAsync(href, staging, c.CancellationToken);
            if (plan.Cid is { } expected)
            {
                if (!CidCalculator.FileMatches(staging, Cid.Parse(expected)))
                    throw new InvalidDataException($"{plan.Filename} of scene {u.Scene}: the bytes from {EarthdataDownloader.Show(href)} do not " +
                                                   $"re-import to the Easier catalog's CID {expected} (Kubo and Helia layouts tried)");
                (cid, verified) = (expected, BandVerification.Cid);
            }
            else
            {
                cid = CidCalculator.ForFile(staging);
                if (plan.Checksum is { } sum && FileChecksumCheck.IsSupported(sum.Algorithm))
                {
                    FileChecksumCheck.Verify(staging, sum, plan.Filename, u.Scene);
                    verified = BandVerification.UmmgChecksum(sum.Algorithm);
                }
                else verified = BandVerification.UnverifiedOrigin;
            }
        }
        catch (Exception e) when (e is EarthdataDownloadException or ChecksumMismatchException or InvalidDataException or IOException)
        {
            if (File.Exists(staging)) File.Delete(staging);
            reasons.Add("https: " + e.Message);
            return null;
        }
        var sha256 = FileChecksumCheck.Compute(staging, "SHA-256");
        File.Move(staging, temp, overwrite: true);
        BandCache.Put(c.Paths.CidCache(cid), temp); // content-addressed by the CID its bytes give: safe to share
        return new BandCid(plan.Filename, cid, u.Band)
        {
            Source = DownloadConfig.Https, Url = EarthdataDownloader.Show(href), Sha256 = sha256, Verified = verified,
        };
    }

    public override void Gather(DatasetContext c, IReadOnlyList<SceneBand> units, UnitOutputs o)
    {
        var missing = units.Where(u => !File.Exists(c.Paths.Band(u.Scene, u.Band)) && File.Exists(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .Select(u => WorkFile.Read<MissingCid>(c.Paths.DownloadFailure(u.Scene, u.Band)))
            .OrderBy(m => m.Filename, StringComparer.Ordinal).ToList();
        o.WriteAllText(c.Paths.MissingCidsJson, MissingCids.Text(missing));

        // tile_payloads.json (spec stage 6's table): what each band really is and, for bands not from IPFS, where it came
        // from and how it was verified. Units come in configured band order within a scene.
        // A band read by range (download.mode ranges) is the plan's CID, verified block by block in stage 8.
        // u.Cid is the band plan's CID: in ranges mode a band with one is read by range (DatasetContext.ReadsByRange).
        BandCid? RecordOf(SceneBand u) =>
            File.Exists(c.Paths.BandRecord(u.Scene, u.Band)) ? WorkFile.Read<BandCid>(c.Paths.BandRecord(u.Scene, u.Band))
            : c.RangesMode && u.Cid is { } cid ? new BandCid(c.State.BandPlan(u.Scene, u.Band).Filename, cid, u.Band) : null;
        var payloads = c.State.SceneBands().Select(u => (u.Scene, Record: RecordOf(u))).Where(x => x.Record is not null)
            .GroupBy(x => x.Scene, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, (IReadOnlyList<BandCid>)g.Select(x => x.Record!).ToList()));
        o.WriteAllText(c.Paths.TilePayloadsJson, System.Text.Encoding.UTF8.GetString(TilePayloadsJson.ToBytes(payloads)));

        var count = units.Count(u => File.Exists(c.Paths.Band(u.Scene, u.Band)));
        c.Log.Information($"download: {count} of {units.Count} band files verified in {Path.Combine(c.Paths.Root, "tiles")}" +
                          (missing.Count > 0 ? $"; {missing.Count} CIDs missing -> {c.Paths.MissingCidsJson}" : ""));
    }
}
