using System.Diagnostics;
using Xunit.Abstractions;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Issue 11.2: a hostile or broken gateway on 127.0.0.1 is the first IPFS source, the sample's local CAR the second.
/// Every fault is given to its own CID; the download must succeed from the CAR for those, from the gateway for the
/// others, warn with the CID, the failing source and what went wrong, and no unverified byte may ever be visible in
/// the dataset (a watcher reads every band file that appears while the build runs) or be left anywhere.
/// </summary>
[Collection(HostilePeerCollection.Name)]
public class HostilePeerTests(InputsFixture f, ITestOutputHelper output)
{
    /// <summary>Fault → what its warning must say (besides the CID and the source).</summary>
    public static readonly IReadOnlyDictionary<PeerFault, string> Expected = new Dictionary<PeerFault, string>
    {
        [PeerFault.WrongBytes] = "re-import to",
        [PeerFault.ExtraBytes] = "re-import to",
        [PeerFault.ShortBody] = "re-import to",
        [PeerFault.TruncatedBody] = "truncated body",
        [PeerFault.StallMidBody] = "(stalled transfer)",
        [PeerFault.NotFound] = "HTTP 404 Not Found",
        [PeerFault.ServerError] = "HTTP 500 Internal Server Error",
        [PeerFault.CarExtraBlock] = "outside the file's DAG",
        [PeerFault.CarMissingBlock] = "is missing",
        [PeerFault.CarMismatchedBlock] = "that do not hash to its CID",
        [PeerFault.CarNotACar] = "not a CAR",
        [PeerFault.CarPlainBytes] = "not a trustless gateway",
        [PeerFault.CarTruncated] = "CAR stream is truncated",
        [PeerFault.CarStall] = "(stalled transfer)",
    };

    // 3 s: short enough that a stall costs seconds, long enough that a healthy answer on a loaded CI machine never times out.
    private static string IpfsYaml(string url, string kind, int maxTries, string inputs) =>
        $"  timeout_seconds: 3\n  max_tries: {maxTries}\n  sources:\n    - kind: {kind}\n      url: {url}\n      concurrency: 16\n" + Workspace.CarSource(inputs);

    private static Dictionary<string, PeerFault> Assign(SampleCar car, PeerFault[] faults)
    {
        // Multi-block files first (a CAR fault needs leaves), one fault per CID, spread over the three scenes.
        var bands = car.Bands.Where(b => b.Band != "Fmask").OrderBy(b => b.Band, StringComparer.Ordinal).ThenBy(b => b.Scene, StringComparer.Ordinal).ToList();
        return faults.Select((fault, i) => (fault, band: bands[i])).ToDictionary(x => x.band.Cid, x => x.fault);
    }

    [Fact]
    public async Task Path_gateway_lies_cuts_stalls_and_errors_fall_back_to_the_local_car()
    {
        var car = new SampleCar(f.Inputs);
        PeerFault[] faults = [PeerFault.WrongBytes, PeerFault.ExtraBytes, PeerFault.ShortBody, PeerFault.TruncatedBody,
                              PeerFault.StallMidBody, PeerFault.NotFound, PeerFault.ServerError];
        var assigned = Assign(car, faults);
        await using var peer = new HostilePeer(car, assigned, trustless: false);
        var w = new Workspace(f, "gateway");
        w.WriteConfig(ipfs: IpfsYaml(peer.Url, "gateway", maxTries: 1, w.Inputs));

        // First a build killed while the peer stalls mid-body: its unverified temps must never become dataset files.
        Process? child = null;
        peer.Stalled = _ => { try { child?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        using (var watch = new DatasetWatch(w.Dataset, car))
        {
            var killed = await HostProcess.RunAsync(w.Args(["--target=download"]), started: p => child = p, workingDirectory: w.Root);
            output.WriteLine($"killed mid-stall: exit {killed.ExitCode} after {killed.Elapsed.TotalSeconds:0.0} s");
            Assert.True(killed.ExitCode == 137, "the build should have been killed while the peer stalled: " + killed);
            peer.Stalled = null;
            var run = await w.RunAsync("--target=download");
            output.WriteLine($"download through the hostile gateway: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:0.0} s");
            Assert.True(run.ExitCode == 0, run.ToString());
            watch.Dispose();
            output.WriteLine($"watch: {watch.FilesChecked} band files read while the builds ran");
            Assert.True(watch.Violations.Count == 0, "unverified bytes were visible in the dataset:\n  " + string.Join("\n  ", watch.Violations));
            // A unit finished before the kill warned in the killed run; the others warn in the rerun.
            AssertOutcome(car, peer, assigned, [.. killed.Lines, .. run.Lines], w, "path-gateway " + peer.Url);
        }
    }

    [Fact]
    public async Task Trustless_gateway_bad_cars_stalls_and_errors_fall_back_to_the_local_car()
    {
        var car = new SampleCar(f.Inputs);
        PeerFault[] faults = [PeerFault.CarExtraBlock, PeerFault.CarMissingBlock, PeerFault.CarMismatchedBlock, PeerFault.CarNotACar,
                              PeerFault.CarPlainBytes, PeerFault.CarTruncated, PeerFault.CarStall, PeerFault.NotFound, PeerFault.ServerError];
        var assigned = Assign(car, faults);
        await using var peer = new HostilePeer(car, assigned, trustless: true);
        var w = new Workspace(f, "trustless");
        w.WriteConfig(ipfs: IpfsYaml(peer.Url, "trustless", maxTries: 2, w.Inputs));
        using var watch = new DatasetWatch(w.Dataset, car);
        var run = await w.RunAsync("--target=download");
        output.WriteLine($"download through the hostile trustless gateway: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:0.0} s");
        Assert.True(run.ExitCode == 0, run.ToString());
        watch.Dispose();
        Assert.True(watch.Violations.Count == 0, "unverified bytes were visible in the dataset:\n  " + string.Join("\n  ", watch.Violations));
        AssertOutcome(car, peer, assigned, run.Lines, w, "trustless-gateway " + peer.Url);
        // Transient failures (5xx, stalls) are retried on the same source before the next one; a lie is not.
        foreach (var transient in new[] { PeerFault.ServerError, PeerFault.CarStall, PeerFault.CarTruncated })
        {
            var cid = assigned.Single(a => a.Value == transient).Key;
            Assert.Equal(2, peer.Requests.Count(r => r.Cid == cid));
            Assert.Contains(run.Lines, l => l.Contains(cid, StringComparison.Ordinal) && l.Contains("(try 2, Transient)", StringComparison.Ordinal));
        }
        foreach (var lie in new[] { PeerFault.CarExtraBlock, PeerFault.CarMissingBlock, PeerFault.CarMismatchedBlock, PeerFault.CarNotACar, PeerFault.CarPlainBytes, PeerFault.NotFound })
            Assert.Equal(1, peer.Requests.Count(r => r.Fault == lie));
    }

    private void AssertOutcome(SampleCar car, HostilePeer peer, Dictionary<string, PeerFault> assigned, IReadOnlyList<string> lines, Workspace w, string sourceName)
    {
        var problems = new List<string>();
        foreach (var (cid, fault) in assigned)
        {
            var band = car.Band(cid);
            // One warning per failed try, each naming the scene-band, the CID and the source.
            var warnings = lines.Where(l => l.StartsWith("warning:", StringComparison.Ordinal) && l.Contains(cid, StringComparison.Ordinal)).ToList();
            foreach (var wl in warnings) output.WriteLine($"{fault,-20} {wl}");
            if (warnings.Count == 0) problems.Add($"{fault}: no warning names {cid} ({band.FileName})");
            else if (warnings.Any(l => !l.Contains(sourceName, StringComparison.Ordinal) || !l.Contains(band.Scene + "." + band.Band, StringComparison.Ordinal))
                     || !warnings.Any(l => l.Contains(Expected[fault], StringComparison.Ordinal)))
                problems.Add($"{fault}: the warnings should name {band.Scene}.{band.Band}, '{sourceName}' and say '{Expected[fault]}':\n  " + string.Join("\n  ", warnings));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + string.Join("\n", lines));
        foreach (var band in car.Bands)
        {
            var file = w.File(Path.Combine("tiles", band.Scene, band.FileName));
            Assert.True(File.Exists(file), $"{band.FileName} was not downloaded");
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(band.Bytes), $"{band.FileName} does not hold the bytes of {band.Cid}");
            if (!assigned.ContainsKey(band.Cid))
            {
                // Served by the gateway (it was asked, and nothing warned about it): the sources' order holds.
                Assert.Contains(peer.Requests, r => r.Cid == band.Cid && r.Fault == PeerFault.None);
                Assert.DoesNotContain(lines, l => l.StartsWith("warning:", StringComparison.Ordinal) && l.Contains(band.Cid, StringComparison.Ordinal));
            }
        }
        // Nothing a peer sent that failed verification is left anywhere: not in the dataset, not in .build, not beside it.
        foreach (var file in Directory.EnumerateFiles(w.Folder, "*", SearchOption.AllDirectories))
            Assert.False(Contains(File.ReadAllBytes(file), HostilePeer.Marker), $"{Path.GetRelativePath(w.Folder, file)} holds bytes of the hostile peer");
        var staging = Path.Combine(w.Dataset, ".build", "fetch");
        Assert.Empty(Directory.Exists(staging) ? Directory.GetFiles(staging) : []);
        Assert.Equal(car.Bands.Select(b => b.FileName).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(w.File("tiles"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
