using CropData.Build.Context;
using CropData.Gdal;
using CropData.Geo;
using CropData.Graph;
using CropData.IpfsGdal;
using CropData.Raster;

namespace CropData.Build.Tasks;

[TaskName("reproject")]
[ReadsConfig("reproject.mode", "cdl.path", "fmask_band", "download.mode")]
// The band list names the units (a unit's band is in its id); ipfs.* and the block cache say where verified blocks
// come from in download.mode ranges, not what they are.
[UsesConfig("bands", "ipfs", "download.block_cache_max_mb")]
[IsDependentOn(typeof(ReprojectTilesTask))]
[TaskDescription("Stage 8: warp each scene band onto the CDL grid (EPSG:5070, 30 m) for the chips that need it")]
public sealed class ReprojectTask : UnitTask<DatasetContext, StripUnit>
{
    public override IEnumerable<StripUnit> Units(DatasetContext c)
    {
        var units = c.State.StripUnits().ToList();
        // Every unit warps onto the CDL grid: a CDL that is no raster, not EPSG:5070 or off the national grid is one
        // clear error here instead of the same error from each of the task's units.
        if (units.Count > 0) _ = c.CdlInfo;
        return units;
    }

    public override string UnitId(StripUnit u) => $"{u.Scene}.{u.Band}.row{u.ChipRow:000}";

    public override string? ShardKey(StripUnit u) => u.Tile;

    // A band read by range (download.mode ranges, a band with a CID) keys on its plan (the CID in it is a hash of the
    // content: no file to hash), and the unit also writes the leaves its reads used (docs/PIPELINE.md stage 8; the
    // manifest's bytes_read). A band without a CID (https) is read from tiles/ in either mode.
    public override UnitSpec Describe(StripUnit u, DatasetContext c) => new(
        Inputs: [c.BandInput(u.Scene, u.Band), c.CdlInputFile],
        Outputs: [.. u.Chips.Select(ch => c.Paths.Warped(u.Scene, u.Band, ch)), .. c.ReadsByRange(u.Scene, u.Band) ? [c.Paths.RangeReads(u.Scene, u.Band, u.ChipRow)] : Array.Empty<string>()]);

    public override void Run(StripUnit u, DatasetContext c, UnitOutputs o)
    {
        var cdl = c.CdlInfo;
        var mode = c.Config.Reproject.Mode == "exact" ? ReprojectMode.Exact : ReprojectMode.Original;
        var path = c.BandReadPath(u.Scene, u.Band);
        using var reads = c.ReadsByRange(u.Scene, u.Band) ? c.BandFiles.BeginReads() : null;
        try
        {
            SceneBandWarp.Run(path, u.Tile, c.Bands.KindOf(u.Band), cdl, u.Chips.Select(ChipId.Parse).ToList(), mode,
                chip => o.TempPathFor(c.Paths.Warped(u.Scene, u.Band, chip.ToString())), c.WarpCache);
        }
        catch (Exception e) when (reads is not null && e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{u.Scene}.{u.Band} ({path}): {e.Message}", e);
        }
        if (reads is null) return;
        var cid = path[IpfsVirtualFiles.Prefix.Length..];
        // GDAL was told of a failed read; whatever it made of it, the unit fails rather than write chips from it.
        if (reads.Failure is { } failure) throw new InvalidOperationException($"{u.Scene}.{u.Band} ({path}): {failure.Message}", failure);
        WorkFile.Write(o.TempPathFor(c.Paths.RangeReads(u.Scene, u.Band, u.ChipRow)), new RangeReads(cid, reads.Size(cid) ?? 0, reads.Leaves(cid)));
    }

    /// <summary>
    /// The run summary's line for ranges mode: bytes fetched against the whole band files, blocks from the cache, per
    /// source (what this run fetched; a no-op run fetches nothing).
    /// </summary>
    public override void Gather(DatasetContext c, IReadOnlyList<StripUnit> units, UnitOutputs o)
    {
        if (!c.RangesMode || c.BandFiles.FilesOpened == 0) return;
        var s = c.BandFiles.Fetcher.Stats;
        var whole = c.BandFiles.WholeBytes;
        c.Log.Information(FormattableString.Invariant(
            $"reproject (download.mode ranges): fetched {s.FetchedBytes:N0} bytes in {s.FetchedBlocks} blocks for {c.BandFiles.FilesOpened} band files of {whole:N0} bytes ({(whole > 0 ? 100.0 * s.FetchedBytes / whole : 0):0.0} %); ") +
            FormattableString.Invariant($"{s.CacheBlocks} blocks ({s.CacheBytes:N0} bytes) from the cache, {s.IdentityBlocks} identity; ") +
            string.Join("; ", s.Sources.Select(x => FormattableString.Invariant(
                $"{x.Source}: {x.Blocks} blocks, {x.Bytes:N0} bytes in {x.Requests} requests{(x.Rejected > 0 ? $", {x.Rejected} rejected (did not verify)" : "")}{(x.Failures > 0 ? $", {x.Failures} failed tries" : "")}{(x.Unsupported is not null ? ", unsupported (not asked again)" : "")}"))));
        foreach (var x in s.Sources.Where(x => x.Rejected > 0))
            o.Warn($"{x.Source}: {x.Rejected} block(s) did not hash to their CID and were fetched from another source");
        // Once per source endpoint: the fetcher stopped asking it at its first answer that showed it does not serve it.
        foreach (var x in s.Sources.Where(x => x.Unsupported is not null))
            o.Warn($"{x.Source}: does not serve this endpoint, not asked again in this build (first answer: {x.Unsupported})");
    }
}

