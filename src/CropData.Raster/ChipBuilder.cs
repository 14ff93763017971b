using System.Collections.Concurrent;
using CropData.Dataset.Chips;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster;

/// <summary>One selected scene of a tile: its date and band files (reflectance in config band order, then Fmask).</summary>
public sealed record SceneBands(string SceneId, DateOnly Date, IReadOnlyList<string> Reflectance, string Fmask);

/// <summary>Where a chip's three files go.</summary>
public sealed record ChipOutputPaths(string Merged, string Fmask, string Mask);

public sealed record ChipBuildOptions
{
    public ReprojectMode Mode { get; init; } = ReprojectMode.Original;
    public NaPolicy Na { get; init; } = NaPolicy.Default;
    public ChipFileOptions Files { get; init; } = new();

    /// <summary>Band names for merged-band descriptions ("B02_2022-03-15"); null writes none, as the published chips.</summary>
    public IReadOnlyList<string>? DescribeBands { get; init; }

    /// <summary>Scene-bands warped in parallel (each on its own GDAL handles). 1 = sequential.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>A chip after stages 8-9: QA and tracking row (null when skipped), reclass counts, whether files were written.</summary>
public sealed record BuiltChip(ChipId Chip, AssembledChip Assembled, ReclassResult Reclass)
{
    public bool Written => !Assembled.Skipped;
}

/// <summary>
/// Stages 8-9 for chips of one tile, through the functions the build's tasks run (<see cref="SceneBandWarp"/> per
/// scene band and chip row, writing each chip's warped window as the reproject task does; <see cref="ChipStage"/> per
/// chip, reading them back as the chips task does), so the raster benchmark and the equivalence tests measure the
/// build's own code. Warped windows go to a scratch folder removed at the end. Skipped chips (a date without valid
/// Fmask pixels) get no files.
/// </summary>
public static class ChipBuilder
{
    public static IReadOnlyList<BuiltChip> Build(string tile, IReadOnlyList<SceneBands> scenes, IEnumerable<ChipId> chips,
        string cdlPath, CdlReclassTable reclass, Func<ChipId, ChipOutputPaths> outputs, ChipBuildOptions? options = null)
    {
        options ??= new ChipBuildOptions();
        if (scenes.Count == 0) throw new ArgumentException($"tile {tile}: no scenes given");
        var ordered = scenes.OrderBy(s => s.Date).ThenBy(s => s.SceneId, StringComparer.Ordinal).ToArray();
        var bandCount = ordered[0].Reflectance.Count;
        if (ordered.Any(s => s.Reflectance.Count != bandCount))
            throw new ArgumentException($"tile {tile}: scenes have different numbers of reflectance bands");

        string scratch = Directory.CreateTempSubdirectory("cropdata-chips-").FullName;
        try
        {
            CdlRasterInfo cdlInfo;
            using (var cdl = CdlRaster.Open(cdlPath)) cdlInfo = cdl.Info; // a CDL raster that is not uint8 codes fails here
            string Warped(int date, int band, ChipId chip) => Path.Combine(scratch, $"d{date}", band < 0 ? "quality" : $"b{band}", chip + WarpedWindowFile.Extension);
            var write = new ChipWriteOptions
            {
                Na = options.Na,
                Files = options.Files,
                BandDescriptions = options.DescribeBands is { } names
                    ? ordered.SelectMany(s => names.Select(n => $"{n}_{s.Date:yyyy-MM-dd}")).ToArray()
                    : null,
            };
            var rows = ChipReprojector.ByChipRow(chips);
            foreach (var chip in rows.SelectMany(r => r)) cdlInfo.ChipWindow(chip); // fail before any warp when a chip is off the CDL raster
            var warpCache = new WarpedChunkCache(); // as the reproject task's: one per stage run
            // One job per chip row and (scene, band): reflectance bands then the quality band, as the reproject task's
            // units. Jobs are taken in order, one at a time, and whichever thread finishes a row's last job cuts that
            // row's chips while the other threads go on warping the next row: no core waits at the end of a row.
            var bandJobs = ordered.SelectMany((s, d) => s.Reflectance.Select((path, b) => (Date: d, Band: b, Path: path, Kind: BandKind.Reflectance))
                .Append((Date: d, Band: -1, Path: s.Fmask, Kind: BandKind.Quality))).ToArray();
            var jobs = Enumerable.Range(0, rows.Count).SelectMany(r => bandJobs.Select(j => (Row: r, Job: j))).ToArray();
            var pending = rows.Select(_ => bandJobs.Length).ToArray();
            var built = new BuiltChip[rows.Count][];
            Parallel.ForEach(Partitioner.Create(jobs, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) }, item =>
                {
                    var (r, job) = item;
                    // (WarpedWindowFile.Write makes the window's folder.)
                    SceneBandWarp.Run(job.Path, tile, job.Kind, cdlInfo, rows[r], options.Mode, chip => Warped(job.Date, job.Band, chip), warpCache);
                    if (Interlocked.Decrement(ref pending[r]) != 0) return;
                    using var cdl = CdlRaster.Open(cdlPath); // the cutting thread's own handle (GDAL handles are per thread)
                    built[r] = rows[r].Select(chip =>
                    {
                        var dates = ordered.Select((s, d) => new WarpedDate(s.SceneId, s.Date,
                            Enumerable.Range(0, bandCount).Select(b => Warped(d, b, chip)).ToArray(), Warped(d, -1, chip))).ToArray();
                        var result = ChipStage.Run(chip, tile, dates, cdl, reclass, outputs(chip), write);
                        return new BuiltChip(chip, result.Assembled, result.Reclass);
                    }).ToArray();
                });
            return built.SelectMany(b => b).ToList();
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The published layout: chips/&lt;chip&gt;_merged.tif, chips/&lt;chip&gt;.mask.tif, chips_fmask/&lt;chip&gt;_Fmask.tif.</summary>
    public static Func<ChipId, ChipOutputPaths> PublishedLayout(string datasetRoot) => chip => new ChipOutputPaths(
        Path.Combine(datasetRoot, "chips", $"{chip}_merged.tif"),
        Path.Combine(datasetRoot, "chips_fmask", $"{chip}_Fmask.tif"),
        Path.Combine(datasetRoot, "chips", $"{chip}.mask.tif"));
}
