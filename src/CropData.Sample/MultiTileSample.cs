using System.Globalization;
using CropData.Dataset.Scenes;
using CropData.Gdal;

namespace CropData.Sample;

/// <summary>
/// What the multi-tile sample is made of: its tiles, each with the chips stage 2 gives it (its band files cover them);
/// the CDL window covers every chip.
/// </summary>
public sealed record MultiTileInputs(
    string OutputFolder, string ReclassTablePath, string OriginalSelectedTilesCsv, ulong Seed, IReadOnlyDictionary<string, IReadOnlyList<string>> ChipsByTile);

/// <summary>
/// The multi-tile sample (issue 20, config/sample-tiles.yaml): for each tile, the three real scenes the original selected
/// for it (data/reference/clarkcga/selected_tiles.csv, real metadata), with SYNTHETIC band files on the tile's real UTM
/// grid covering the chips plus a margin, and a SYNTHETIC CDL window on the national EPSG:5070 grid (no real CDL clip of
/// that place is shipped). No decoys: the point is several tiles (sharding, merged statistics), not the selection rules.
/// </summary>
public static class MultiTileSample
{
    /// <summary>The generated CDL window, relative to the sample's output folder (config: cdl.path).</summary>
    public static readonly string CdlFile = Path.Combine("cdl", "sample_cdl.tif");

    private const int CdlMarginPixels = 32;      // around the chips: the warps' bilinear kernels read past a chip's edge
    private const double BandMarginMeters = 1500; // like the Kansas sample's 1.3 km: a chip's warp window stays inside the band

    public static SampleOutputs Generate(MultiTileInputs inputs)
    {
        if (inputs.ChipsByTile.Count == 0 || inputs.ChipsByTile.Values.Any(c => c.Count == 0))
            throw new ArgumentException("sample.tiles and sample.chips: the multi-tile sample needs tiles with at least one chip each");
        var root = Path.GetFullPath(inputs.OutputFolder);
        var allChips = inputs.ChipsByTile.Values.SelectMany(c => c).Order(StringComparer.Ordinal).ToList();
        var chips = allChips.Select(Position).ToList();
        var tiles = inputs.ChipsByTile.Keys.Order(StringComparer.Ordinal).ToList();

        var all = OriginalSelectedTilesCsv.ReadFile(inputs.OriginalSelectedTilesCsv);
        var scenes = tiles.SelectMany(tile =>
        {
            var own = all.Where(s => s.TileId == tile).OrderBy(s => s.SceneId, StringComparer.Ordinal).ToList();
            return own.Count >= 3 ? own : throw new InvalidDataException(
                $"sample.tiles: {tile} has {own.Count} scene(s) in {inputs.OriginalSelectedTilesCsv}; the multi-tile sample needs a tile the original selected 3 scenes for");
        }).ToList();

        var cdl = Path.Combine(root, CdlFile);
        Directory.CreateDirectory(Path.GetDirectoryName(cdl)!);
        WriteCdl(cdl, chips, inputs.Seed);

        // A cloud over a third of the last chip on the second date: that chip fails the QA filter (stage 10).
        var last = allChips[^1];
        SamplePatch[] patches = [new(last, 1, 20, 20, 140, 120, FmaskValue.Cloud), new(last, 1, 20, 120, 140, 150, FmaskValue.Shadow)];

        var grids = tiles.ToDictionary(t => t, t => BandGrid(t, inputs.ChipsByTile[t].Select(Position).ToList()), StringComparer.Ordinal);
        var jobs = scenes.SelectMany(s => SampleGenerator.ReflectanceBands.Append(SampleGenerator.FmaskBand)
            .Select(band => (Scene: s, Date: scenes.Where(o => o.TileId == s.TileId).ToList().IndexOf(s), Band: band))).ToArray();
        var classes = tiles.ToDictionary(t => t, t =>
        {
            var c = SampleGenerator.ClassesOnSceneGrid(cdl, inputs.ReclassTablePath, grids[t], out var x, out var y);
            return (Classes: c, X: x, Y: y);
        }, StringComparer.Ordinal);
        var files = new string[jobs.Length];
        Parallel.For(0, jobs.Length, i =>
        {
            var (scene, date, band) = jobs[i];
            var folder = Path.Combine(root, "hls", scene.SceneId);
            Directory.CreateDirectory(folder);
            var (c, x, y) = classes[scene.TileId];
            files[i] = SampleGenerator.WriteSceneBand(c, x, y, inputs.Seed, scene.SceneId, band, date, folder, grids[scene.TileId], patches);
        });

        var footprints = tiles.ToDictionary(t => t, t => SampleGenerator.SceneFootprint4326(grids[t]), StringComparer.Ordinal);
        return SampleGenerator.Package(root, files, scenes, [], scenes, s => footprints[s.TileId]);
    }

    /// <summary>
    /// A synthetic CDL window around the chips, on the national grid (EPSG:5070, 30 m, whole pixels of the chip grid):
    /// fields of 28 x 28 pixels (840 m, about a quarter section) each of one CDL code drawn from a Kansas-like mix by a hash
    /// of (seed, field): deterministic and independent of the window.
    /// </summary>
    private static void WriteCdl(string path, IReadOnlyList<(int Row, int Col)> chips, ulong seed)
    {
        const int chip = 224, field = 28;
        int col0 = chips.Min(c => c.Col) * chip - CdlMarginPixels, row0 = chips.Min(c => c.Row) * chip - CdlMarginPixels;
        int width = (chips.Max(c => c.Col) + 1) * chip + CdlMarginPixels - col0, height = (chips.Max(c => c.Row) + 1) * chip + CdlMarginPixels - row0;
        var (left, top) = NationalCorner(row0, col0);

        var codes = new byte[width * height];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
                codes[r * width + c] = FieldCode(seed, (col0 + c) / field, (row0 + r) / field);
        var grid = new RasterGrid("EPSG:5070", GeoTransform.NorthUp(left, top, 30), width, height);
        GeoTiff.Write(path, grid, [codes], new GeoTiffOptions { Compression = TiffCompression.Deflate, BlockSize = 256 });
    }

    /// <summary>The upper-left corner (EPSG:5070) of a pixel of the national CDL grid.</summary>
    private static (double X, double Y) NationalCorner(int row, int col)
    {
        var (left, top) = SampleGenerator.ChipCorner("chip_000_000");
        return (left + col * 30.0, top - row * 30.0);
    }

    /// <summary>Row and column of a chip id chip_RRR_CCC on the national chip grid.</summary>
    private static (int Row, int Col) Position(string chip) =>
        chip.Length == 12 && chip.StartsWith("chip_", StringComparison.Ordinal) && chip[8] == '_'
        && int.TryParse(chip.AsSpan(5, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var row)
        && int.TryParse(chip.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var col)
            ? (row, col)
            : throw new ArgumentException($"sample.chips: '{chip}' is not a chip id (chip_RRR_CCC)");

    // CDL codes and weights (percent) of a plausible south-central Kansas mix.
    private static readonly (byte Code, int Weight)[] Mix =
        [(1, 22), (5, 17), (24, 20), (4, 10), (176, 15), (36, 5), (61, 4), (121, 3), (111, 2), (141, 2)];

    private static byte FieldCode(ulong seed, int fieldX, int fieldY)
    {
        ulong h = SplitMix(seed ^ SplitMix(((ulong)(uint)fieldX << 32) | (uint)fieldY));
        int pick = (int)(h % 100);
        foreach (var (code, weight) in Mix)
        {
            if (pick < weight) return code;
            pick -= weight;
        }
        return Mix[^1].Code;
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>
    /// The band files' grid of one tile: its chips' corners in the tile's UTM zone (north), plus a margin, snapped
    /// outward to the 30 m grid every HLS tile shares (tile corners are multiples of 30 m).
    /// </summary>
    private static SceneGrid BandGrid(string tile, IReadOnlyList<(int Row, int Col)> chips)
    {
        int epsg = 32600 + int.Parse(tile[..2], CultureInfo.InvariantCulture);
        var corners = chips.SelectMany(c => new[] { (c.Row, c.Col), (c.Row + 1, c.Col), (c.Row, c.Col + 1), (c.Row + 1, c.Col + 1) })
            .Select(rc => NationalCorner(rc.Item1 * 224, rc.Item2 * 224)).ToArray();
        double[] xs = corners.Select(c => c.X).ToArray(), ys = corners.Select(c => c.Y).ToArray();
        using (var t = CoordinateTransform.FromEpsg(5070, epsg)) t.TransformInPlace(xs, ys);
        double minX = Math.Floor((xs.Min() - BandMarginMeters) / 30) * 30, maxX = Math.Ceiling((xs.Max() + BandMarginMeters) / 30) * 30;
        double minY = Math.Floor((ys.Min() - BandMarginMeters) / 30) * 30, maxY = Math.Ceiling((ys.Max() + BandMarginMeters) / 30) * 30;
        // The noise lattice is indexed from the zone's false origin, so overlapping tiles' pixels have their own texture.
        return new SceneGrid(epsg, minX, maxY, (int)((maxX - minX) / 30), (int)((maxY - minY) / 30), (long)(minX / 30), (long)((10_000_000 - maxY) / 30));
    }
}
