using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CropData.Dataset.Chips;
using CropData.Gdal;
using CropData.Geo;
using CropData.Raster;
using CropData.Raster.Testing;

// Benchmark of stages 8-9 on one full-size SYNTHETIC tile (14SPJ geometry, 3 scenes x 7 bands):
// "ours" (chip windows bit-identical to whole-grid warps) vs the original's approach (warp every whole scene-band
// onto its destination grid with GDAL defaults, write it LZW, then clip). Each measurement runs in its own child
// process so wall time and peak working set are its own.
//   dotnet run -c Release --project src/CropData.Raster.Bench -- [workdir] [--chips=3,30] [--skip-original]
// Not a test: no asserts on time. It does check that both approaches write byte-identical chip files.

var argsList = args.ToList();
if (argsList.Count > 0 && argsList[0] == "--child") return Child.Run(argsList.Skip(1).ToArray());

var work = argsList.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? Path.Combine(Path.GetTempPath(), "cropdata-raster-bench");
var counts = (argsList.FirstOrDefault(a => a.StartsWith("--chips=", StringComparison.Ordinal))?[8..] ?? "3,30")
    .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var skipOriginal = argsList.Contains("--skip-original");
Directory.CreateDirectory(work);
var sw = Stopwatch.StartNew();
Fixture.Prepare(work);
Console.WriteLine($"inputs ready in {work} ({sw.Elapsed.TotalSeconds:F1} s): 21 synthetic COG scene-bands 3660x3660, synthetic CDL on the destination grid");
Console.WriteLine($"GDAL {GdalRuntime.Version}, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine();
Console.WriteLine("| N chips | approach | wall s | cpu s | peak MB | chip rows |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var n in counts)
{
    var results = new Dictionary<string, Measurement>();
    foreach (var approach in skipOriginal ? ["ours", "ours-seq"] : new[] { "ours", "ours-seq", "original" })
    {
        var m = Child.Spawn(work, approach, n);
        results[approach] = m;
        Console.WriteLine($"| {n} | {approach} | {m.WallSeconds:F2} | {m.CpuSeconds:F2} | {m.PeakMb} | {m.ChipRows} |");
    }
    if (!skipOriginal)
    {
        var o = results["original"];
        Console.WriteLine($"| {n} | speed-up (wall) | ours {o.WallSeconds / results["ours"].WallSeconds:F1}x, sequential {o.WallSeconds / results["ours-seq"].WallSeconds:F1}x | cpu {o.CpuSeconds / results["ours-seq"].CpuSeconds:F1}x | | |");
        var same = Fixture.CompareOutputs(Path.Combine(work, $"out-ours-{n}"), Path.Combine(work, $"out-original-{n}"));
        Console.WriteLine($"| {n} | chip files identical | {same} | | | |");
    }
}
return 0;

internal sealed record Measurement(double WallSeconds, double CpuSeconds, long PeakMb, int ChipRows);

internal static class Child
{
    public static Measurement Spawn(string work, string approach, int n)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(Child).Assembly.Location;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(dll);
        foreach (var a in new[] { "--child", work, approach, n.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{approach} N={n} failed: {output}");
        return JsonSerializer.Deserialize<Measurement>(output.Trim().Split('\n')[^1])!;
    }

    public static int Run(string[] a)
    {
        var (work, approach, n) = (a[0], a[1], int.Parse(a[2], CultureInfo.InvariantCulture));
        var scenes = Fixture.Scenes(work);
        var chips = Fixture.Chips(work, n);
        var outDir = Path.Combine(work, $"out-{(approach == "original" ? "original" : "ours")}-{n}");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        var reclass = CdlReclassTable.Load(Fixture.ReclassTable);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        if (approach == "original") Original(work, scenes, chips, reclass, outDir);
        else ChipBuilder.Build("14SPJ", scenes, chips, Fixture.CdlPath(work), reclass, ChipBuilder.PublishedLayout(outDir),
            new ChipBuildOptions { Parallelism = approach == "ours" ? Environment.ProcessorCount : 1 });
        sw.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var m = new Measurement(sw.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu0).TotalSeconds, self.PeakWorkingSet64 >> 20,
            chips.Select(c => c.Row).Distinct().Count());
        Console.WriteLine(JsonSerializer.Serialize(m));
        return 0;
    }

    /// <summary>The original's approach: every scene-band warped whole (GDAL defaults), written LZW, then clipped.</summary>
    private static void Original(string work, SceneBands[] scenes, ChipId[] chips, CdlReclassTable reclass, string outDir)
    {
        var cdlInfo = CdlRasterInfo.Read(Fixture.CdlPath(work));
        var tiles = Path.Combine(work, "tiles_reprojected");
        Directory.CreateDirectory(tiles);
        string Tile(string band) => Path.Combine(tiles, Path.GetFileName(band));
        foreach (var s in scenes)
        {
            foreach (var b in s.Reflectance) ReprojectedTile.Write(b, Resampling.Bilinear, cdlInfo, Tile(b));
            ReprojectedTile.Write(s.Fmask, Resampling.Nearest, cdlInfo, Tile(s.Fmask));
        }
        using var cdl = CdlRaster.Open(Fixture.CdlPath(work));
        var layout = ChipBuilder.PublishedLayout(outDir);
        foreach (var chip in chips)
        {
            var dates = scenes.Select(s => new ChipDate(s.Date,
                s.Reflectance.Select(b => ReprojectedTile.ReadChip<short>(Tile(b), chip)).ToArray(),
                s.Reflectance.Select(_ => (double?)SyntheticHlsTile.ReflectanceNoData).ToArray(),
                ReprojectedTile.ReadChip<byte>(Tile(s.Fmask), chip))).ToArray();
            var assembled = ChipAssembly.Assemble(chip.ToString(), "14SPJ", dates, NaPolicy.Default);
            var classes = new byte[224 * 224];
            reclass.Apply(cdl.ReadChip(chip), classes);
            if (assembled.Skipped) continue;
            var paths = layout(chip);
            ChipFiles.WriteMerged(paths.Merged, chip, assembled.Merged);
            ChipFiles.WriteFmask(paths.Fmask, chip, assembled.Fmask);
            ChipFiles.WriteMask(paths.Mask, chip, classes, cdl.ColorTable);
        }
    }
}

internal static class Fixture
{
    public static string ReclassTable => Path.Combine(RepoRoot(), "data", "classes", "cdl_total_dst.csv");
    private static string KansasCdl => Path.Combine(RepoRoot(), "data", "cdl", "2021_30m_cdls_kansas_clip.tif");
    private static readonly CdlRasterInfo National = CdlRasterInfo.FromNationalWindow("national CDL extent", 0, 0, 153811, 96523);
    private static readonly string[] Bands = ["B02", "B03", "B04", "B8A", "B11", "B12"];
    private static readonly (string Id, DateOnly Date)[] SceneIds =
    [
        ("HLS.S30.T14SPJ.2022074T171051.v2.0", new DateOnly(2022, 3, 15)),
        ("HLS.S30.T14SPJ.2022179T170859.v2.0", new DateOnly(2022, 6, 28)),
        ("HLS.S30.T14SPJ.2022259T170849.v2.0", new DateOnly(2022, 9, 16)),
    ];

    public static string CdlPath(string work) => Path.Combine(work, "cdl_synthetic_14SPJ.tif");

    public static SceneBands[] Scenes(string work) => SceneIds.Select(s => new SceneBands(s.Id, s.Date,
        Bands.Select(b => Path.Combine(work, "tiles", s.Id, $"{s.Id}.{b}.tif")).ToArray(),
        Path.Combine(work, "tiles", s.Id, $"{s.Id}.Fmask.tif"))).ToArray();

    public static void Prepare(string work)
    {
        foreach (var (s, d) in Scenes(work).Select((s, d) => (s, d)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(s.Fmask)!);
            for (var b = 0; b < s.Reflectance.Count; b++)
                if (!File.Exists(s.Reflectance[b])) SyntheticHlsTile.WriteReflectance(s.Reflectance[b], b, (ulong)(1000 + d));
            if (!File.Exists(s.Fmask)) SyntheticHlsTile.WriteFmask(s.Fmask, (ulong)(1000 + d));
        }
        if (!File.Exists(CdlPath(work))) WriteCdl(work);
    }

    /// <summary>A CDL raster covering the original destination grid: the real Kansas clip's codes tiled, its palette.</summary>
    private static void WriteCdl(string work)
    {
        var g = DestinationGrid.Original(SyntheticHlsTile.Grid(), National);
        using var kansas = RasterDataset.Open(KansasCdl);
        var codes = kansas.ReadBand<byte>(1);
        var pixels = new byte[g.Width * g.Height];
        for (var y = 0; y < g.Height; y++)
            for (var x = 0; x < g.Width; x++)
                pixels[y * g.Width + x] = codes[(y % 1000) * 1000 + x % 1000];
        GeoTiff.Write(CdlPath(work), g.Grid, [pixels],
            new GeoTiffOptions { Compression = TiffCompression.Lzw, ColorTable = kansas.ColorTable(1) });
    }

    /// <summary>N chips fully inside the tile footprint (so inside the scenes), spread pseudo-randomly over the tile.</summary>
    public static ChipId[] Chips(string work, int n)
    {
        using var t = CoordinateTransform.FromEpsg(5070, 32614);
        var cdl = CdlRasterInfo.Read(CdlPath(work));
        var candidates = new List<ChipId>();
        var first = CdlGrid.ChipAt(cdl.OriginX, cdl.OriginY);
        for (var r = first.Row; r < first.Row + 40; r++)
            for (var c = first.Col; c < first.Col + 40; c++)
            {
                var chip = new ChipId(r, c);
                if (!cdl.Contains(chip)) continue;
                var (l, b, rr, tp) = CdlGrid.ChipBounds(chip);
                double[] xs = [l, rr, l, rr], ys = [b, b, tp, tp];
                t.TransformInPlace(xs, ys);
                // 300 m inside the tile, clear of the synthetic swath gap in its west.
                if (xs.All(x => x > 600000 + 9000 && x < 709800 - 300) && ys.All(y => y > 4290240 + 300 && y < 4400040 - 300))
                    candidates.Add(chip);
            }
        if (n > 3)
            return candidates.OrderBy(c => SyntheticHlsTile.Hash(7, (ulong)c.Row, (ulong)c.Col)).Take(n).ToArray();
        // N = 3: the three reference chips of the published dataset (inside the Kansas clip).
        return [ChipId.Parse("chip_203_335"), ChipId.Parse("chip_202_336"), ChipId.Parse("chip_203_337")];
    }

    public static string CompareOutputs(string a, string b)
    {
        var fa = Directory.GetFiles(a, "*.tif", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToArray();
        var fb = Directory.GetFiles(b, "*.tif", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order().ToArray();
        if (!fa.SequenceEqual(fb)) return $"NO: file sets differ ({fa.Length} vs {fb.Length})";
        var differing = fa.Where(f => !File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f)))).ToArray();
        return differing.Length == 0 ? $"yes, all {fa.Length} files byte-identical" : $"NO: {differing.Length} differ ({string.Join(", ", differing.Take(5))})";
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
        throw new InvalidOperationException("run the benchmark from inside the repository");
    }
}
