using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CropData.Dataset.Chips;
using CropData.Dataset.Scenes;
using CropData.Gdal;
using CropData.Ipfs.Car;
using CropData.Stac.Hls;
using CropData.Stac.Model;
using CropData.Stac.Static;

namespace CropData.Sample;

/// <summary>Where the generated sample inputs go and what they are made from.</summary>
public sealed record SampleInputs(
    string OutputFolder, string CdlPath, string ReclassTablePath, string OriginalSelectedTilesCsv, ulong Seed);

/// <summary>What the generator wrote: the static catalogs, the CAR, and the CID of every band file.</summary>
public sealed record SampleOutputs(string CmrCatalog, string EasierCatalog, string Car, IReadOnlyDictionary<string, string> Cids);

/// <summary>
/// The embedded sample's inputs (issue 8): per-band COGs of three real HLS S30 scene ids of tile 14SPJ on the
/// real UTM grid (EPSG:32614, 30 m, origin aligned to the tile), cropped to the Kansas CDL clip; SYNTHETIC
/// reflectance derived from the CDL classes; Fmask with placed clouds, shadow and snow so QA has something to
/// reject; a -1000 patch so the NA filter rejects a chip; decoy scenes the selection must not pick; static STAC
/// catalogs (CMR-like with UMM-G metadata, Easier-like with IPFS alternates) and one CAR holding every band.
/// </summary>
public static class SampleGenerator
{
    public const string Tile = "14SPJ";
    public static readonly string[] ReflectanceBands = ["B02", "B03", "B04", "B8A", "B11", "B12"];
    public const string FmaskBand = "Fmask";

    /// <summary>The real scenes of the published dataset for chips chip_203_335, chip_202_336, chip_203_337.</summary>
    public static readonly string[] RealScenes =
    [
        "HLS.S30.T14SPJ.2022074T171051.v2.0", "HLS.S30.T14SPJ.2022179T170859.v2.0", "HLS.S30.T14SPJ.2022259T170849.v2.0",
    ];

    /// <summary>Synthetic decoys, each excluded by one rule of spec stage 4 (ids made up, marked in the catalog).</summary>
    public static readonly (string Id, int Cloud, int Coverage, string Why)[] Decoys =
    [
        ("HLS.S30.T14SPJ.2022104T170851.v2.0", 62, 100, "cloudy"),
        ("HLS.S30.T14SPJ.2022214T170849.v2.0", 3, 85, "coverage below the 90 % step that already has 3 scenes"),
        ("HLS.S30.T14SPJ.2022229T170851.v2.0", 6, 100, "cloud cover just above the threshold of 5"),
    ];

    // The 14SPJ tile's upper-left corner is (600000, 4400040) in EPSG:32614; the crop starts 1600 columns and
    // 1100 rows into it and covers the CDL clip with a margin of at least 1.3 km.
    public const int UtmEpsg = 32614;
    public const double CropOriginX = 600000 + 1600 * 30, CropOriginY = 4400040 - 1100 * 30;
    public const int CropWidth = 1250, CropHeight = 1110;

    public const short HlsNoData = -9999;
    public const short NaValue = -1000;

    /// <summary>Where the generator puts QA events (EPSG:5070 boxes relative to chips), so tests know the outcome.</summary>
    public static readonly IReadOnlyList<SamplePatch> Patches =
    [
        // date 2: a thick cloud with its shadow over a third of chip_201_338 -> bad_pct_max >= 5 (rejected)
        new("chip_201_338", 1, 20, 20, 140, 120, FmaskValue.Cloud),
        new("chip_201_338", 1, 20, 120, 140, 150, FmaskValue.Shadow),
        // date 1: a small shadow on chip_202_335 (about 1.6 %) -> kept, bad_pct > 0
        new("chip_202_335", 0, 100, 100, 128, 128, FmaskValue.Shadow),
        // date 3: snow over the whole of chip_204_338 -> no valid pixel on that date (skipped)
        new("chip_204_338", 2, -10, -10, 234, 234, FmaskValue.Snow),
        // date 3, band B11: -1000 over a block of chip_204_336 -> na_count > 0 (rejected)
        new("chip_204_336", 2, 60, 60, 100, 100, FmaskValue.Clear, NaBand: "B11"),
    ];

    public static SampleOutputs Generate(SampleInputs inputs)
    {
        var root = Path.GetFullPath(inputs.OutputFolder);
        var hls = Path.Combine(root, "hls");
        Directory.CreateDirectory(hls);

        var real = OriginalSelectedTilesCsv.ReadFile(inputs.OriginalSelectedTilesCsv)
            .Where(s => RealScenes.Contains(s.SceneId)).OrderBy(s => s.SceneId, StringComparer.Ordinal).ToList();
        if (real.Count != RealScenes.Length)
            throw new InvalidDataException($"{inputs.OriginalSelectedTilesCsv}: expected the rows of {string.Join(", ", RealScenes)}");

        var classes = ClassesOnSceneGrid(inputs.CdlPath, inputs.ReclassTablePath, out var x5070, out var y5070);
        var files = new List<string>();
        for (int date = 0; date < RealScenes.Length; date++)
        {
            var scene = RealScenes[date];
            var folder = Path.Combine(hls, scene);
            Directory.CreateDirectory(folder);
            foreach (var (band, b) in ReflectanceBands.Select((b, i) => (b, i)))
            {
                var pixels = Reflectance(classes, b, date, inputs.Seed);
                // What the Fmask flags is visible in the reflectance too: bright cloud and snow, dark shadow.
                foreach (var p in Patches.Where(p => p.Date == date && p.NaBand is null))
                    Apply(pixels, p, x5070, y5070, v => p.Value switch
                    {
                        FmaskValue.Cloud => (short)(b < 3 ? 5200 : b == 3 ? 5600 : 4200),
                        FmaskValue.Snow => (short)(b < 4 ? 8500 : 900),
                        FmaskValue.Shadow => (short)(v / 3),
                        _ => v,
                    });
                foreach (var p in Patches.Where(p => p.Date == date && p.NaBand == band)) Paint(pixels, p, x5070, y5070, NaValue);
                files.Add(WriteBand(Path.Combine(folder, $"{scene}.{band}.tif"), pixels, HlsNoData));
            }
            var fmask = Fmask(classes, date, x5070, y5070);
            files.Add(WriteBand(Path.Combine(folder, $"{scene}.{FmaskBand}.tif"), fmask, 255));
        }

        var car = Path.Combine(root, "ipfs", "sample.car");
        Directory.CreateDirectory(Path.GetDirectoryName(car)!);
        var cids = CarPacker.PackToFile(files, car);
        var cidByFile = files.Select((f, i) => (Name: Path.GetFileName(f), Cid: cids[i].ToString()))
            .ToDictionary(x => x.Name, x => x.Cid, StringComparer.Ordinal);

        var footprint = SceneFootprint4326();
        var cmr = WriteCmrCatalog(Path.Combine(root, "stac", "cmr"), real, footprint);
        var easier = WriteEasierCatalog(Path.Combine(root, "stac", "easier"), real, cidByFile, footprint);
        // The band files live on only inside the CAR: the download stage must fetch them through IPFS.
        Directory.Delete(hls, recursive: true);
        return new SampleOutputs(cmr, easier, car, new SortedDictionary<string, string>(cidByFile, StringComparer.Ordinal));
    }

    /// <summary>The 13-class label of every scene pixel, from the CDL clip (outside it: natural vegetation).</summary>
    private static byte[] ClassesOnSceneGrid(string cdlPath, string reclassPath, out double[] x5070, out double[] y5070)
    {
        using var cdl = RasterDataset.Open(cdlPath);
        var codes = cdl.ReadBand<byte>(1);
        var gt = cdl.GeoTransform;
        var table = CdlReclassTable.Load(reclassPath);

        int n = CropWidth * CropHeight;
        x5070 = new double[n];
        y5070 = new double[n];
        for (int row = 0, i = 0; row < CropHeight; row++)
            for (int col = 0; col < CropWidth; col++, i++)
            {
                x5070[i] = CropOriginX + (col + 0.5) * 30;
                y5070[i] = CropOriginY - (row + 0.5) * 30;
            }
        using (var t = CoordinateTransform.FromEpsg(UtmEpsg, 5070)) t.TransformInPlace(x5070, y5070);

        var classes = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int col = (int)Math.Floor((x5070[i] - gt.OriginX) / gt.PixelWidth);
            int row = (int)Math.Floor((y5070[i] - gt.OriginY) / gt.PixelHeight);
            classes[i] = col >= 0 && row >= 0 && col < cdl.Width && row < cdl.Height && table.TryMap(codes[row * cdl.Width + col], out var cls)
                ? cls : (byte)1;
        }
        return classes;
    }

    private static short[] Reflectance(byte[] classes, int band, int date, ulong seed)
    {
        var pixels = new short[classes.Length];
        for (int row = 0, i = 0; row < CropHeight; row++)
            for (int col = 0; col < CropWidth; col++, i++)
                pixels[i] = SyntheticReflectance.Value(classes[i], band, date, 1600 + col, 1100 + row, seed);
        return pixels;
    }

    private static byte[] Fmask(byte[] classes, int date, double[] x5070, double[] y5070)
    {
        var fmask = new byte[classes.Length];
        for (int i = 0; i < fmask.Length; i++)
            fmask[i] = classes[i] == 7 ? (byte)FmaskValue.Water : (byte)FmaskValue.Clear;
        foreach (var p in Patches.Where(p => p.Date == date && p.NaBand is null)) Paint(fmask, p, x5070, y5070, (byte)p.Value);
        return fmask;
    }

    /// <summary>Sets every scene pixel whose centre falls in the patch's box (pixel offsets from the chip's corner).</summary>
    private static void Paint<T>(T[] pixels, SamplePatch p, double[] x5070, double[] y5070, T value) =>
        Apply(pixels, p, x5070, y5070, _ => value);

    private static void Apply<T>(T[] pixels, SamplePatch p, double[] x5070, double[] y5070, Func<T, T> change)
    {
        var (left, top) = ChipCorner(p.Chip);
        double minX = left + p.Col0 * 30, maxX = left + p.Col1 * 30, maxY = top - p.Row0 * 30, minY = top - p.Row1 * 30;
        for (int i = 0; i < pixels.Length; i++)
            if (x5070[i] >= minX && x5070[i] < maxX && y5070[i] > minY && y5070[i] <= maxY)
                pixels[i] = change(pixels[i]);
    }

    public static (double Left, double Top) ChipCorner(string chip)
    {
        int row = int.Parse(chip.AsSpan(5, 3), CultureInfo.InvariantCulture), col = int.Parse(chip.AsSpan(9, 3), CultureInfo.InvariantCulture);
        return (-2356095 + col * 6720.0, 3172605 - row * 6720.0);
    }

    private static string WriteBand<T>(string path, T[] pixels, double noData) where T : unmanaged
    {
        var grid = new RasterGrid($"EPSG:{UtmEpsg}", GeoTransform.NorthUp(CropOriginX, CropOriginY, 30), CropWidth, CropHeight);
        GeoTiff.Write(path, grid, [pixels], new GeoTiffOptions
        {
            Compression = TiffCompression.Deflate, Predictor = typeof(T) == typeof(short), BlockSize = 256, Cog = true, NoData = noData,
        });
        return path;
    }

    private static JsonNode SceneFootprint4326()
    {
        double[] xs = [CropOriginX, CropOriginX + CropWidth * 30, CropOriginX + CropWidth * 30, CropOriginX, CropOriginX];
        double[] ys = [CropOriginY, CropOriginY, CropOriginY - CropHeight * 30, CropOriginY - CropHeight * 30, CropOriginY];
        using (var t = CoordinateTransform.FromEpsg(UtmEpsg, 4326)) t.TransformInPlace(xs, ys);
        var ring = new JsonArray(xs.Select((x, i) => (JsonNode?)new JsonArray(Math.Round(x, 6), Math.Round(ys[i], 6))).ToArray());
        return new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(ring) };
    }

    private static string WriteCmrCatalog(string dir, IReadOnlyList<SceneRecord> real, JsonNode footprint)
    {
        var writer = new StaticCatalogWriter("sample-cmr", "CMR-STAC-like catalog of the embedded sample (real scene metadata + synthetic decoys)");
        writer.AddCollection(new StacCollectionSpec(HlsStacItems.CmrCollection, "HLS Sentinel-2 MSI surface reflectance (sample)"));
        var scenes = real.Select(s => (Scene: s, Synthetic: false)).Concat(Decoys.Select(d => (Scene: DecoyRecord(d.Id, d.Cloud, d.Coverage), Synthetic: true)));
        foreach (var (scene, synthetic) in scenes)
        {
            var time = SensingTime(scene.SceneId);
            var umm = HlsStacItems.UmmgDocument(scene, time, footprint);
            if (synthetic) umm["Comment"] = "synthetic decoy scene of the embedded sample";
            var item = HlsStacItems.CmrItem(scene, time, footprint, scene.SceneId + ".umm_json");
            writer.AddItem(HlsStacItems.CmrCollection, item,
                [new StacSidecarFile(scene.SceneId + ".umm_json", Encoding.UTF8.GetBytes(umm.ToJsonString(new() { WriteIndented = true }) + "\n"))]);
        }
        writer.Write(dir, replace: true);
        return Path.Combine(dir, "catalog.json");
    }

    private static string WriteEasierCatalog(string dir, IReadOnlyList<SceneRecord> real, IReadOnlyDictionary<string, string> cids, JsonNode footprint)
    {
        var writer = new StaticCatalogWriter("sample-easier", "Easier-STAC-like catalog of the embedded sample (band CIDs of the generated files)");
        writer.AddCollection(new StacCollectionSpec("HLSS30", "HLS S30 band files on IPFS (sample)"));
        foreach (var scene in real)
        {
            var bands = ReflectanceBands.Append(FmaskBand).Select(b =>
            {
                var file = $"{scene.SceneId}.{b}.tif";
                scene.HttpsLinks.TryGetValue(b, out var https);
                scene.S3Links.TryGetValue(b, out var s3);
                return (b, https ?? file, s3, cids[file]);
            });
            writer.AddItem("HLSS30", HlsStacItems.EasierItem(scene.SceneId, bands, footprint, SensingTime(scene.SceneId)));
        }
        writer.Write(dir, replace: true);
        return Path.Combine(dir, "catalog.json");
    }

    private static SceneRecord DecoyRecord(string id, int cloud, int coverage)
    {
        var links = ReflectanceBands.Append(FmaskBand).Select(b => KeyValuePair.Create(b,
            $"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/{id}/{id}.{b}.tif"));
        return SceneRecord.Create(id, DateOnly.FromDateTime(SensingTime(id).UtcDateTime), cloud, coverage, links, []);
    }

    /// <summary>The sensing time encoded in an HLS scene id (yyyyDDDTHHMMSS).</summary>
    public static DateTimeOffset SensingTime(string sceneId)
    {
        var stamp = sceneId.Split('.')[3];
        int year = int.Parse(stamp[..4], CultureInfo.InvariantCulture), day = int.Parse(stamp[4..7], CultureInfo.InvariantCulture);
        var time = TimeSpan.ParseExact(stamp[8..], "hhmmss", CultureInfo.InvariantCulture);
        return new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day - 1).Add(time);
    }
}

/// <summary>Fmask bytes used by the sample: aerosol level "low" (bit 6) plus the condition bits.</summary>
public enum FmaskValue : byte
{
    Clear = 64,
    Cloud = 64 | 2,
    Shadow = 64 | 8,
    Snow = 64 | 16,
    Water = 64 | 32,
}

/// <summary>A box of pixels (offsets from the chip's upper-left corner, may exceed 0..224) on one date.</summary>
public sealed record SamplePatch(string Chip, int Date, int Col0, int Row0, int Col1, int Row1, FmaskValue Value, string? NaBand = null);
