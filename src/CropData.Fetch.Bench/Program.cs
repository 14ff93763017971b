using System.Diagnostics;
using System.Globalization;
using CropData.Fetch.Bench;
using CropData.Gdal;
using CropData.Geo;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.IpfsGdal;
using CropData.Raster;
using CropData.Raster.Testing;

// Benchmark of stage 7+8 fetching (issue 17): one full-size SYNTHETIC 14SPJ scene (6 reflectance COGs + Fmask,
// 3660 x 3660, as the raster benchmark's) added to the real js-ipfs node (tools/ipfs-test-node), N chips in a block,
// `original` and `exact` reproject modes:
//   whole  = verified download of every band file (Kubo RPC dag/export) + reproject from the files;
//   ranges = reproject from /vsiipfs/CID, verified blocks over Kubo RPC block/get into an empty block cache.
// Reports wall time, bytes fetched, the physical floor (Floor.cs) and whether the chips are byte-identical.
//   dotnet run -c Release --project src/CropData.Fetch.Bench -- [workdir] [--chips=3,30] [--api=URL]
// Not a test: no asserts on time.

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var work = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? Path.Combine(Path.GetTempPath(), "cropdata-fetch-bench");
string? Opt(string name) => args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];
var counts = (Opt("chips") ?? "3,30").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var national = CdlRasterInfo.FromNationalWindow("national CDL extent", 0, 0, 153811, 96523);
var repo = RepoRoot();
Directory.CreateDirectory(work);

var inputs = Path.Combine(work, "inputs");
Directory.CreateDirectory(inputs);
List<(string Name, BandKind Kind, int Index)> bands = [.. SyntheticHlsTile.Bands.Select((b, i) => (b, BandKind.Reflectance, i)), ("Fmask", BandKind.Quality, -1)];
var sw = Stopwatch.StartNew();
Parallel.ForEach(bands, new ParallelOptions { MaxDegreeOfParallelism = 2 }, b =>
{
    var path = Path.Combine(inputs, $"HLS.S30.T14SPJ.2022074T171051.v2.0.{b.Name}.tif");
    if (File.Exists(path)) return;
    var temp = path + ".tmp.tif";
    if (b.Kind == BandKind.Quality) SyntheticHlsTile.WriteFmask(temp, 42);
    else SyntheticHlsTile.WriteReflectance(temp, b.Index, 42);
    File.Move(temp, path, true);
});
using var node = TestNode.Start(repo, Opt("api"));
var files = new List<(string Name, BandKind Kind, string Path, Cid Cid)>();
foreach (var b in bands)
{
    var path = Path.Combine(inputs, $"HLS.S30.T14SPJ.2022074T171051.v2.0.{b.Name}.tif");
    files.Add((b.Name, b.Kind, path, Cid.Parse(await node.AddAsync(path))));
}
var wholeBytes = files.Sum(f => new FileInfo(f.Path).Length);
Console.WriteLine($"inputs ready in {sw.Elapsed.TotalSeconds:F1} s: {files.Count} synthetic COG band files 3660x3660, {wholeBytes / 1e6:F1} MB, on the node at {node.Api}");
Console.WriteLine($"GDAL {GdalRuntime.Version}, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine();
Console.WriteLine("| N chips | mode | whole s (download + reproject) | ranges s | whole MB | ranges MB fetched | floor MB | ranges / floor | ranges / whole | chips identical |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
foreach (var n in counts)
{
    var chips = Chips(n);
    var floor = files.Sum(f => Floor.Bytes(f.Path, chips));
    foreach (var mode in new[] { ReprojectMode.Original, ReprojectMode.Exact })
    {
        var tag = $"{n}-{mode}".ToLowerInvariant();
        var wholeOut = Path.Combine(work, "out-whole-" + tag);
        var rangesOut = Path.Combine(work, "out-ranges-" + tag);
        foreach (var d in new[] { wholeOut, rangesOut, Path.Combine(work, "download"), Path.Combine(work, "blocks") })
            if (Directory.Exists(d)) Directory.Delete(d, true);

        // whole: every band file downloaded (verified), then the chip rows of each band warped from the file.
        sw.Restart();
        var fetcher = new IpfsFetcher([new KuboRpcSource(node.Api)]);
        var downloaded = await fetcher.FetchAllAsync(files.Select(f => new FetchRequest(f.Cid, Path.Combine(work, "download", f.Name + ".tif"))).ToList(), maxParallel: 8);
        if (downloaded.FirstOrDefault(o => !o.Succeeded) is { } failed) throw failed.Error!;
        Reproject(files.Select(f => (f.Name, f.Kind, Path.Combine(work, "download", f.Name + ".tif"))), chips, mode, wholeOut, null);
        var wholeSeconds = sw.Elapsed.TotalSeconds;

        // ranges: the same warps reading /vsiipfs/CID from an empty block cache.
        sw.Restart();
        var blocks = new BlockFetcher([new KuboBlockSource(node.Api)], new BlockCache(Path.Combine(work, "blocks")));
        var vfs = new IpfsVirtualFiles(blocks);
        Reproject(files.Select(f => (f.Name, f.Kind, IpfsVirtualFiles.PathOf(f.Cid.ToString()))), chips, mode, rangesOut, vfs);
        var rangesSeconds = sw.Elapsed.TotalSeconds;
        var fetched = blocks.Stats.FetchedBytes;

        var same = Directory.GetFiles(wholeOut).Length == chips.Count * files.Count
                   && Directory.GetFiles(wholeOut).All(f => File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(rangesOut, Path.GetFileName(f)))));
        Console.WriteLine($"| {n} | {mode.ToString().ToLowerInvariant()} | {wholeSeconds:F2} | {rangesSeconds:F2} | {wholeBytes / 1e6:F1} | {fetched / 1e6:F2} | {floor / 1e6:F2} | " +
                          $"{(double)fetched / floor:F2}x | {100.0 * fetched / wholeBytes:F1} % | {same} |");
    }
}
return 0;

// The stage-8 units of the build: one per band and chip row, run two at a time (--jobs on 2 cores), one warp cache.
static void Reproject(IEnumerable<(string Name, BandKind Kind, string Path)> bands, IReadOnlyList<ChipId> chips, ReprojectMode mode, string outDir,
    IpfsVirtualFiles? vfs)
{
    Directory.CreateDirectory(outDir);
    var cache = new WarpedChunkCache();
    var units = bands.SelectMany(b => chips.GroupBy(c => c.Row).Select(row => (Band: b, Chips: row.ToList()))).ToList();
    Parallel.ForEach(units, new ParallelOptions { MaxDegreeOfParallelism = 2 }, u =>
    {
        using var reads = vfs?.BeginReads();
        SceneBandWarp.Run(u.Band.Path, "14SPJ", u.Band.Kind, CdlRasterInfo.FromNationalWindow("national CDL extent", 0, 0, 153811, 96523), u.Chips, mode,
            chip => Path.Combine(outDir, $"{u.Band.Name}.{chip}.tif"), cache);
        if (reads?.Failure is { } f) throw f;
    });
}

// N chips in a compact block inside the scene's swath (an AOI's chips are neighbours): rows of up to 6.
List<ChipId> Chips(int n)
{
    var g = DestinationGrid.Original(SyntheticHlsTile.Grid(), national);
    var first = CdlGrid.ChipAt(g.Grid.Transform.OriginX, g.Grid.Transform.OriginY);
    var a = new ChipId(first.Row + 16, first.Col + 18);
    return [.. Enumerable.Range(0, n).Select(i => new ChipId(a.Row + i / 6, a.Col + i % 6))];
}

static string RepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
    throw new InvalidOperationException("no CropData.sln above the benchmark");
}
