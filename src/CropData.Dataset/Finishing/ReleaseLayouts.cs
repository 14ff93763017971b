using System.Text;

namespace CropData.Dataset.Finishing;

/// <summary>A file to copy: absolute/relative source path, destination relative to the release folder ('/' separated).</summary>
public sealed record PlannedCopy(string Source, string Destination);

/// <summary>A file to write with the given content, destination relative to the release folder.</summary>
public sealed record PlannedFile(string Destination, string Content);

/// <summary>What a release folder must contain; built by <see cref="ReleaseLayouts"/> without touching the disk.</summary>
public sealed record ReleasePlan(string Layout, IReadOnlyList<PlannedCopy> Copies, IReadOnlyList<PlannedFile> Files)
{
    public IEnumerable<string> Destinations => Copies.Select(c => c.Destination).Concat(Files.Select(f => f.Destination));
}

/// <summary>Outcome of <see cref="ReleaseLayouts.Execute"/>: relative paths copied, already identical (skipped),
/// written, and present in the folder but not in the plan (stale; removed only when asked).</summary>
public sealed record ReleaseResult(
    IReadOnlyList<string> Copied, IReadOnlyList<string> UpToDate, IReadOnlyList<string> Written, IReadOnlyList<string> Stale);

/// <summary>
/// Release layouts for the consumers named in the spec ("Consumers"):
/// <list type="bullet">
/// <item>HuggingFace (ibm-nasa-geospatial/multi-temporal-crop-classification): <c>training_chips/</c> and
/// <c>validation_chips/</c> with <c>chip_XXX_XXX_merged.tif</c> + <c>chip_XXX_XXX.mask.tif</c>, and at the top level
/// <c>training_data.txt</c> / <c>validation_data.txt</c> with one full chip id (<c>chip_257_266</c>) per line, no
/// header. That content is inferred: the published files are 40.1 kB for 3,083 ids and 10.0 kB for 771, i.e. exactly
/// 13 bytes = "chip_XXX_XXX\n" per id (a short id would be 8, a CRLF line 14), and terratorch's
/// MultiTemporalCropClassification matches each line as a substring of the chip file names. terratorch looks for the
/// list inside the chips folder (<c>training_chips/training_data.txt</c>), the HF repository has it at the top level:
/// by default both are written (the extra copy does not disturb the <c>*merged.tif</c> / <c>*mask.tif</c> globs).</item>
/// <item>Baseline (ClarkCGA multi-temporal-crop-classification-baseline): every merged + mask file in one folder
/// (<c>chips/</c>; the baseline walks it and keeps the files whose id is in the CSV), header-less
/// <c>train_ids.csv</c> / <c>val_ids.csv</c> (it reads them with <c>header=None</c>), and <c>baseline_config.yaml</c>
/// with the keys to merge into its config: <c>global_stats</c> and <c>criterion.weight</c>.</item>
/// </list>
/// </summary>
public static class ReleaseLayouts
{
    public const string HfTrainFolder = "training_chips";
    public const string HfValidationFolder = "validation_chips";
    public const string HfTrainList = "training_data.txt";
    public const string HfValidationList = "validation_data.txt";
    public const string BaselineChipsFolder = "chips";
    public const string BaselineConfigSnippet = "baseline_config.yaml";

    public static ReleasePlan HuggingFace(string chipsFolder, SplitResult split, bool listsInChipFolders = true, IEnumerable<PlannedFile>? extra = null)
    {
        var copies = new List<PlannedCopy>();
        copies.AddRange(ChipCopies(chipsFolder, split.Train, HfTrainFolder));
        copies.AddRange(ChipCopies(chipsFolder, split.Validation, HfValidationFolder));
        var trainList = FinishingFormat.Lines(Sorted(split.Train).Select(ChipIds.Full));
        var valList = FinishingFormat.Lines(Sorted(split.Validation).Select(ChipIds.Full));
        var files = new List<PlannedFile> { new(HfTrainList, trainList), new(HfValidationList, valList) };
        if (listsInChipFolders)
        {
            files.Add(new(HfTrainFolder + "/" + HfTrainList, trainList));
            files.Add(new(HfValidationFolder + "/" + HfValidationList, valList));
        }
        files.AddRange(extra ?? []); // chips_df.csv and the dataset card (DatasetCard)
        return new ReleasePlan("huggingface", Order(copies), files.OrderBy(f => f.Destination, StringComparer.Ordinal).ToList());
    }

    public static ReleasePlan Baseline(string chipsFolder, SplitResult split, GlobalStats stats, ClassWeights weights, int dates = 3)
    {
        var all = Sorted(split.Train.Concat(split.Validation));
        var copies = ChipCopies(chipsFolder, all, BaselineChipsFolder).ToList();
        var files = new List<PlannedFile>
        {
            new(BaselineConfigSnippet, BaselineYaml(stats, weights, dates)),
            new(DatasetSplit.TrainFile, DatasetSplit.IdCsv(split.Train, header: false)),
            new(DatasetSplit.ValidationFile, DatasetSplit.IdCsv(split.Validation, header: false)),
        };
        return new ReleasePlan("baseline", Order(copies), files.OrderBy(f => f.Destination, StringComparer.Ordinal).ToList());
    }

    /// <summary>The YAML keys the baseline config needs from this dataset (<paramref name="dates"/> per chip: its channels).</summary>
    public static string BaselineYaml(GlobalStats stats, ClassWeights weights, int dates = 3)
    {
        var sb = new StringBuilder();
        sb.Append("# Keys for the multi-temporal-crop-classification-baseline config (config/default_config.yaml).\n");
        sb.Append("# Set src_dir to this folder; the id CSVs are header-less as the baseline reads them.\n");
        sb.Append("train_dataset_name: ").Append(BaselineChipsFolder).Append('\n');
        sb.Append("train_csv_path: ").Append(DatasetSplit.TrainFile).Append('\n');
        sb.Append("val_csv_path: ").Append(DatasetSplit.ValidationFile).Append('\n');
        sb.Append("n_classes: 14\n");
        sb.Append("input_channels: ").Append(FinishingFormat.Int(stats.Bands.Count * dates)).Append('\n');
        sb.Append(stats.ToYaml());
        sb.Append("# criterion.weight: classes 1..13 in order; the baseline's losses insert 0 at ignore_index 0.\n");
        sb.Append("# name and gamma are the baseline's defaults.\n");
        sb.Append("criterion:\n");
        sb.Append("  name: TverskyFocalLoss\n");
        sb.Append("  weight:\n");
        foreach (var w in weights.WithoutClassZero) sb.Append("  - ").Append(FinishingFormat.PyFloat(w)).Append('\n');
        sb.Append("  ignore_index: 0\n");
        sb.Append("  gamma: 0.9\n");
        return sb.ToString();
    }

    /// <summary>Sources of the plan that do not exist (relative destinations with their source), sorted.</summary>
    public static IReadOnlyList<PlannedCopy> MissingSources(ReleasePlan plan) =>
        plan.Copies.Where(c => !File.Exists(c.Source)).ToList();

    /// <summary>
    /// Materialises a plan under <paramref name="destination"/>. Fails before touching anything when a source is
    /// missing (naming the chips' files). A destination file already identical to its source is left alone; files in
    /// the folder that the plan does not name are reported as stale and deleted only when <paramref name="removeStale"/>.
    /// </summary>
    public static ReleaseResult Execute(ReleasePlan plan, string destination, bool removeStale = false)
    {
        var missing = MissingSources(plan);
        if (missing.Count > 0)
            throw new FileNotFoundException($"{plan.Layout} release: {missing.Count} source file(s) missing, e.g. " +
                string.Join(", ", missing.Take(5).Select(m => $"'{m.Source}' (for {m.Destination})")));
        var dupes = plan.Destinations.GroupBy(d => d, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dupes.Count > 0)
            throw new InvalidOperationException($"{plan.Layout} release: destinations planned twice: {string.Join(", ", dupes.Take(5))}");

        Directory.CreateDirectory(destination);
        var copied = new List<string>();
        var upToDate = new List<string>();
        foreach (var c in plan.Copies)
        {
            var dst = Path.Combine(destination, c.Destination);
            if (SameContent(c.Source, dst)) { upToDate.Add(c.Destination); continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            var tmp = dst + ".partial";
            File.Copy(c.Source, tmp, overwrite: true);
            File.Move(tmp, dst, overwrite: true);
            copied.Add(c.Destination);
        }
        var written = new List<string>();
        foreach (var f in plan.Files)
        {
            FinishingFormat.WriteText(Path.Combine(destination, f.Destination), f.Content);
            written.Add(f.Destination);
        }
        var planned = new HashSet<string>(plan.Destinations, StringComparer.Ordinal);
        var stale = Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(destination, p).Replace('\\', '/'))
            .Where(r => !planned.Contains(r))
            .Order(StringComparer.Ordinal).ToList();
        if (removeStale)
            foreach (var s in stale) File.Delete(Path.Combine(destination, s));
        return new ReleaseResult(copied, upToDate, written, stale);
    }

    private static IEnumerable<PlannedCopy> ChipCopies(string chipsFolder, IEnumerable<string> ids, string folder)
    {
        foreach (var id in Sorted(ids))
        {
            yield return new PlannedCopy(Path.Combine(chipsFolder, ChipIds.MergedFile(id)), folder + "/" + ChipIds.MergedFile(id));
            yield return new PlannedCopy(Path.Combine(chipsFolder, ChipIds.MaskFile(id)), folder + "/" + ChipIds.MaskFile(id));
        }
    }

    private static List<string> Sorted(IEnumerable<string> ids) =>
        ids.Select(ChipIds.Short).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static List<PlannedCopy> Order(IEnumerable<PlannedCopy> c) => c.OrderBy(x => x.Destination, StringComparer.Ordinal).ToList();

    private static bool SameContent(string a, string b)
    {
        if (!File.Exists(b)) return false;
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length) return false;
        using var sa = fa.OpenRead();
        using var sb = fb.OpenRead();
        var ba = new byte[81920];
        var bb = new byte[81920];
        while (true)
        {
            int na = sa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            int nb = sb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb))) return false;
            if (na == 0) return true;
        }
    }
}
