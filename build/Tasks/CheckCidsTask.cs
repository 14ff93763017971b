using CropData.Build.Context;
using CropData.Graph;
using CropData.Ipfs.Multiformats;

namespace CropData.Build.Tasks;

[TaskName("check-cids")]
[IsDependentOn(typeof(CidsTask))]
[TaskDescription("Stage 7 check alone: ask every source whether each band CID is retrievable -> missing_cids.json")]
public sealed class CheckCidsTask : AsyncFrostingTask<DatasetContext>
{
    public override async Task RunAsync(DatasetContext c)
    {
        var fetcher = IpfsSetup.CreateFetcher(c);
        var bands = c.State.SceneBands().Where(b => b.Cid is not null).ToList(); // bands without a CID come from https only
        using var gate = new SemaphoreSlim(c.Config.Ipfs.Concurrency);
        var results = await Task.WhenAll(bands.Select(async b =>
        {
            await gate.WaitAsync(c.CancellationToken);
            try { return (b, check: await fetcher.CheckAsync(Cid.Parse(b.Cid!), c.CancellationToken)); }
            finally { gate.Release(); }
        }));
        var missing = results.Where(r => !r.check.Retrievable)
            .Select(r => new MissingCid(r.b.Cid!, $"{r.b.Scene}.{r.b.Band}.tif", r.b.Band, r.b.Scene, r.check.Reasons))
            .OrderBy(m => m.Filename, StringComparer.Ordinal).ToList();
        AtomicFile.WriteAllText(c.Paths.MissingCidsJson, MissingCids.Text(missing));
        c.Log.Information($"check-cids: {results.Length - missing.Count} of {results.Length} CIDs retrievable; {missing.Count} missing -> {c.Paths.MissingCidsJson}");
        if (missing.Count > 0) throw new InvalidOperationException($"{missing.Count} CIDs are not retrievable from any source (see {c.Paths.MissingCidsJson})");
    }
}
