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
/// Stages 8-9 for chips of one tile: warps every scene-band for the chips (chip row by chip row, so memory stays
/// bounded and chips of a row share transform work), applies the chip rules and writes
/// <c>&lt;chip&gt;_merged.tif</c>, <c>&lt;chip&gt;_Fmask.tif</c> and <c>&lt;chip&gt;.mask.tif</c>. Skipped chips (a date
/// without valid Fmask pixels) get no files.
/// </summary>
public static class ChipBuilder
{
    public static IReadOnlyList<BuiltChip> Build(string tile, IReadOnlyList<SceneBands> scenes, IEnumerable<ChipId> chips,
        string cdlPath, CdlReclassTable reclass, Func<ChipId, ChipOutputPaths> outputs, ChipBuildOptions? options = null)
    {
        options ??= new ChipBuildOptions();
        if (scenes.Count != ChipAssembly.DateCount)
            throw new ArgumentException($"tile {tile}: {scenes.Count} scenes given, chips take {ChipAssembly.DateCount}");
        var ordered = scenes.OrderBy(s => s.Date).ThenBy(s => s.SceneId, StringComparer.Ordinal).ToArray();
        var bandCount = ordered[0].Reflectance.Count;
        if (ordered.Any(s => s.Reflectance.Count != bandCount))
            throw new ArgumentException($"tile {tile}: scenes have different numbers of reflectance bands");

        using var cdl = CdlRaster.Open(cdlPath);
        var built = new List<BuiltChip>();
        foreach (var row in ChipReprojector.ByChipRow(chips))
        {
            foreach (var chip in row) cdl.Info.ChipWindow(chip); // fail before any warp when a chip is off the CDL raster

            // (scene, band) jobs: reflectance bands then Fmask, per scene.
            var jobs = ordered.SelectMany((s, d) => s.Reflectance.Select((path, b) => (Date: d, Band: b, Path: path))
                .Append((Date: d, Band: -1, Path: s.Fmask))).ToArray();
            var reflectance = new ReprojectedChips<short>[ordered.Length, bandCount];
            var fmask = new ReprojectedChips<byte>[ordered.Length];
            Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) }, job =>
            {
                if (job.Band < 0)
                    fmask[job.Date] = ChipReprojector.Reproject<byte>(job.Path, Resampling.Nearest, cdl.Info, row, options.Mode);
                else
                    reflectance[job.Date, job.Band] = ChipReprojector.Reproject<short>(job.Path, Resampling.Bilinear, cdl.Info, row, options.Mode);
            });

            foreach (var chip in row)
            {
                var dates = ordered.Select((s, d) => new ChipDate(s.Date,
                    Enumerable.Range(0, bandCount).Select(b => reflectance[d, b].Pixels[chip]).ToArray(),
                    Enumerable.Range(0, bandCount).Select(b => reflectance[d, b].NoData).ToArray(),
                    fmask[d].Pixels[chip])).ToArray();
                var assembled = ChipAssembly.Assemble(chip.ToString(), tile, dates, options.Na);
                var classes = new byte[CdlGrid.ChipSize * CdlGrid.ChipSize];
                var reclassed = reclass.Apply(cdl.ReadChip(chip), classes);
                if (!assembled.Skipped)
                {
                    var paths = outputs(chip);
                    var descriptions = options.DescribeBands is { } names
                        ? ordered.SelectMany(s => names.Select(n => $"{n}_{s.Date:yyyy-MM-dd}")).ToArray()
                        : null;
                    ChipFiles.WriteMerged(paths.Merged, chip, assembled.Merged, options.Files, descriptions);
                    ChipFiles.WriteFmask(paths.Fmask, chip, assembled.Fmask, options.Files);
                    ChipFiles.WriteMask(paths.Mask, chip, classes, cdl.ColorTable, options.Files);
                }
                built.Add(new BuiltChip(chip, assembled, reclassed));
            }
        }
        return built;
    }

    /// <summary>The published layout: chips/&lt;chip&gt;_merged.tif, chips/&lt;chip&gt;.mask.tif, chips_fmask/&lt;chip&gt;_Fmask.tif.</summary>
    public static Func<ChipId, ChipOutputPaths> PublishedLayout(string datasetRoot) => chip => new ChipOutputPaths(
        Path.Combine(datasetRoot, "chips", $"{chip}_merged.tif"),
        Path.Combine(datasetRoot, "chips_fmask", $"{chip}_Fmask.tif"),
        Path.Combine(datasetRoot, "chips", $"{chip}.mask.tif"));
}
