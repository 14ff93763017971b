using System.Globalization;
using System.Text;
using CropData.Dataset.Chips;

namespace CropData.Dataset.Finishing;

/// <summary>What the dataset card says beyond the chips: how it was built and what it holds.</summary>
public sealed record DatasetCardInput(
    string Name,
    IReadOnlyList<string> Bands,
    IReadOnlyList<ChipTrackingRow> Kept,
    SplitResult Split,
    IReadOnlyList<long> ClassPixels,
    GlobalStats? Stats,
    IReadOnlyList<(string Scene, string Band, string Cid)> Inputs);

/// <summary>
/// The Hugging Face side files of the export (docs/PIPELINE.md, "Consumers"): <c>chips_df.csv</c> as TerraTorch's
/// MultiTemporalCropClassification reads it with <c>use_metadata=True</c> (column <c>chip_id</c> matching the file names
/// without <c>_merged.tif</c>, and the dates in <c>first_img_date</c>, <c>middle_img_date</c>, <c>last_img_date</c>), and
/// the dataset card <c>README.md</c> (YAML header, band order, classes with pixel counts, statistics, provenance).
/// Deterministic: no timestamps, invariant culture, sorted rows.
/// </summary>
public static class DatasetCard
{
    public const string ChipsDfFile = "chips_df.csv";
    public const string CardFile = "README.md";

    public static string ChipsDf(IEnumerable<ChipTrackingRow> rows)
    {
        // TerraTorch reads three dates per chip: with another date count, the first, middle (element n // 2) and last.
        var sb = new StringBuilder("chip_id,tile,first_img_date,middle_img_date,last_img_date\n");
        foreach (var r in rows.OrderBy(r => r.ChipId, StringComparer.Ordinal))
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.ChipId},{r.Tile},{r.ImageDates[0]:yyyy-MM-dd},{r.ImageDates[r.DateCount / 2]:yyyy-MM-dd},{r.ImageDates[^1]:yyyy-MM-dd}\n");
        return sb.ToString();
    }

    public static string SizeCategory(int n) => n < 1_000 ? "n<1K" : n < 10_000 ? "1K<n<10K" : n < 100_000 ? "10K<n<100K" : "100K<n<1M";

    public static string Render(DatasetCardInput d)
    {
        var inv = CultureInfo.InvariantCulture;
        int n = d.Split.Train.Count + d.Split.Validation.Count;
        int dates = d.Kept.Count > 0 ? d.Kept[0].DateCount : 3;
        string datesWord = dates == 3 ? "three" : dates.ToString(inv);
        var sb = new StringBuilder();
        sb.Append("---\n");
        sb.Append("license: cc-by-4.0\n");
        sb.Append("task_categories:\n- image-segmentation\n");
        sb.Append("size_categories:\n- ").Append(SizeCategory(n)).Append('\n');
        sb.Append("tags:\n- remote-sensing\n- harmonized-landsat-sentinel\n- hls\n- cropland-data-layer\n- crop-classification\n- multi-temporal\n- prithvi\n");
        sb.Append("pretty_name: ").Append(d.Name).Append('\n');
        sb.Append("---\n\n");
        sb.Append("# ").Append(d.Name).Append("\n\n");
        sb.Append(inv, $"Multi-temporal crop classification chips: {n} chips of 224 x 224 pixels (30 m, EPSG:5070), each with {datesWord} HLS ");
        sb.Append("Sentinel-2 scenes across the growing season and a USDA Cropland Data Layer label mask reclassed to 13 crop classes ");
        sb.Append("(the layout of ibm-nasa-geospatial/multi-temporal-crop-classification, which Prithvi-100M was fine-tuned on).\n\n");
        sb.Append(inv, $"- `training_chips/`: {d.Split.Train.Count} chips; `validation_chips/`: {d.Split.Validation.Count} chips; ");
        sb.Append(inv, $"each `<chip>_merged.tif` ({dates * d.Bands.Count} int16 bands) and `<chip>.mask.tif` (uint8 classes).\n");
        sb.Append("- `training_data.txt`, `validation_data.txt`: the chip ids of each split, one per line.\n");
        sb.Append(dates == 3
            ? "- `chips_df.csv`: per chip its tile and the dates of its three scenes (TerraTorch `use_metadata=True`).\n\n"
            : "- `chips_df.csv`: per chip its tile and the dates of its first, middle and last scenes (TerraTorch `use_metadata=True`).\n\n");

        sb.Append("## Bands\n\n");
        sb.Append(dates == 3 ? "Date-major: the bands of the first date, then the second, then the third. " : "Date-major: the bands of the first date, then the next, and so on. ");
        sb.Append("Each band's description in the file ");
        sb.Append("says which band and date it is (`B02 2022-03-15`); the scene ids are in the file's metadata (`SCENE_IDS`).\n\n");
        sb.Append("| band |").Append(string.Concat(Enumerable.Range(1, dates).Select(i => string.Create(inv, $" date {i} |"))))
          .Append("\n|---|").Append(string.Concat(Enumerable.Repeat("---|", dates))).Append('\n');
        for (int b = 0; b < d.Bands.Count; b++)
            sb.Append("| ").Append(d.Bands[b]).Append(" |")
              .Append(string.Concat(Enumerable.Range(0, dates).Select(i => string.Create(inv, $" {b + 1 + i * d.Bands.Count} |")))).Append('\n');
        sb.Append('\n');

        sb.Append("## Classes\n\n");
        sb.Append("Mask values; the masks carry these colours and names (band metadata `CLASS_<value>`). Pixels over all chips:\n\n");
        sb.Append("| value | class | pixels |\n|---|---|---|\n");
        for (int c = 0; c < CropClasses.Count; c++)
            sb.Append(inv, $"| {c} | {CropClasses.NameOf(c)} | {(c < d.ClassPixels.Count ? d.ClassPixels[c] : 0)} |\n");
        sb.Append('\n');

        if (d.Stats is { } stats)
        {
            sb.Append("## Statistics (global_stats)\n\n```yaml\n").Append(stats.ToYaml()).Append("```\n\n");
        }

        sb.Append("## Dates\n\n| chip | tile |")
          .Append(dates == 3 ? " first | middle | last |" : string.Concat(Enumerable.Range(1, dates).Select(i => string.Create(inv, $" date {i} |"))))
          .Append("\n|---|---|").Append(string.Concat(Enumerable.Repeat("---|", dates))).Append('\n');
        foreach (var r in d.Kept.OrderBy(r => r.ChipId, StringComparer.Ordinal))
            sb.Append(inv, $"| {r.ChipId} | {r.Tile} |").Append(string.Concat(r.ImageDates.Select(x => string.Create(inv, $" {x:yyyy-MM-dd} |")))).Append('\n');
        sb.Append('\n');

        sb.Append("## How it was built\n\n");
        // Only what the export's inputs determine: the configuration and tool version are in dataset.manifest.json, which
        // every build rewrites, so this card can never name a configuration its files were not built from.
        sb.Append("Built by cropdata; the effective configuration, the tool version and every file with its sha256 are in ");
        sb.Append("`dataset.manifest.json` of the dataset folder. Scene band files, ");
        sb.Append("fetched from IPFS and verified against these CIDs:\n\n");
        sb.Append("| scene | band | CID |\n|---|---|---|\n");
        foreach (var (scene, band, cid) in d.Inputs.OrderBy(i => i.Scene, StringComparer.Ordinal).ThenBy(i => i.Band, StringComparer.Ordinal))
            sb.Append(inv, $"| {scene} | {band} | `{cid}` |\n");
        sb.Append("\nSources: NASA HLS S30 v2.0 (LP DAAC) surface reflectance and Fmask; USDA NASS Cropland Data Layer.\n");
        return sb.ToString();
    }
}
