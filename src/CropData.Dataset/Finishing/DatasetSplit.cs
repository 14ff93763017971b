using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CropData.Dataset.Finishing;

public enum SplitSide { Train, Validation }

/// <summary>How stage 11 places chips (config <c>split.method</c>).</summary>
public enum SplitMethod
{
    /// <summary>
    /// Chips ordered by their hash number (SHA-256 of "seed:chip_id"), the first floor(train_fraction · n) in train: the
    /// original's exact count (int(0.8 · n)), and stable: adding or removing one chip moves at most one other chip.
    /// </summary>
    Exact,

    /// <summary>A chip is in train when its hash number is below the fraction: no chip ever moves, the count is only
    /// 80 % in expectation (19/3 on 22 chips where the original gives 17/5).</summary>
    Threshold,
}

/// <summary>
/// A train/validation split of chip ids (stage 11). Lists hold short ids ("203_335"), sorted ordinally (the ids are
/// zero-padded, so that is also numeric order). <see cref="Unassigned"/> lists the chips a published split did not
/// name (import mode without fallback); <see cref="FallbackAssigned"/> lists those it did not name but that were
/// placed by the hash rule (import mode with a fallback seed).
/// </summary>
public sealed record SplitResult(
    IReadOnlyList<string> Train,
    IReadOnlyList<string> Validation,
    IReadOnlyList<string> Unassigned,
    IReadOnlyList<string> FallbackAssigned)
{
    /// <summary>The chips a published split did not name, whether or not they were placed by a fallback.</summary>
    public IReadOnlyList<string> AbsentFromPublished =>
        Unassigned.Concat(FallbackAssigned).Order(StringComparer.Ordinal).ToList();
}

/// <summary>A published split as read from its two CSVs (short ids).</summary>
public sealed record PublishedSplit(IReadOnlySet<string> Train, IReadOnlySet<string> Validation);

/// <summary>
/// Stage 11, split. Fixes the reference defect (numpy seed-42 shuffle of the directory listing, so the split depended
/// on the file system and changed wholesale when one chip was added): a chip's side is a pure function of
/// (seed, chip id) — SHA-256 of "seed:chip_XXX_XXX", its first 8 bytes read big-endian, the top 53 bits scaled to a
/// uniform u in [0, 1), train when u &lt; train fraction. Adding or removing chips never moves another chip, and
/// the input order is irrelevant. The train share is therefore 80 % in expectation, not exactly 80 % of each run.
/// </summary>
public static class DatasetSplit
{
    public const double DefaultTrainFraction = 0.8;

    public const string TrainFile = "train_ids.csv";
    public const string ValidationFile = "val_ids.csv";
    /// <summary>Header-less copies: the baseline reads its id CSVs with <c>pd.read_csv(path, header=None)</c>, so a
    /// header row would become a bogus id.</summary>
    public const string TrainFileNoHeader = "train_ids_noheader.csv";
    public const string ValidationFileNoHeader = "val_ids_noheader.csv";

    /// <summary>The uniform number in [0, 1) of a chip under a seed (either id spelling gives the same number).</summary>
    public static double UniformOf(string seed, string chipId)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var bytes = Encoding.UTF8.GetBytes(seed + ":" + ChipIds.Full(chipId));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        ulong x = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    public static SplitSide SideOf(string seed, string chipId, double trainFraction = DefaultTrainFraction)
    {
        CheckFraction(trainFraction);
        return UniformOf(seed, chipId) < trainFraction ? SplitSide.Train : SplitSide.Validation;
    }

    /// <summary>Splits the chip ids (either spelling; duplicates collapse) by the hash rule (<see cref="SplitMethod.Threshold"/>).</summary>
    public static SplitResult Split(IEnumerable<string> chipIds, string seed, double trainFraction = DefaultTrainFraction) =>
        Split(chipIds, seed, trainFraction, SplitMethod.Threshold);

    public static SplitResult Split(IEnumerable<string> chipIds, string seed, double trainFraction, SplitMethod method)
    {
        CheckFraction(trainFraction);
        var ids = Distinct(chipIds).ToList();
        if (method == SplitMethod.Exact)
        {
            // Ranked by the same hash number; ties (never seen, 53-bit numbers) by id, so the order is total.
            var ranked = ids.OrderBy(id => UniformOf(seed, id)).ThenBy(id => id, StringComparer.Ordinal).ToList();
            int nTrain = (int)Math.Floor(trainFraction * ranked.Count + 1e-9);
            return new SplitResult(ranked.Take(nTrain).Order(StringComparer.Ordinal).ToList(),
                ranked.Skip(nTrain).Order(StringComparer.Ordinal).ToList(), [], []);
        }
        var train = new List<string>();
        var val = new List<string>();
        foreach (var id in ids)
            (SideOf(seed, id, trainFraction) == SplitSide.Train ? train : val).Add(id);
        return new SplitResult(train, val, [], []);
    }

    /// <summary>
    /// Applies a published split to the filtered chips: a chip keeps the side the published split gives it. Chips the
    /// published split does not name are reported: left out (<see cref="SplitResult.Unassigned"/>) when
    /// <paramref name="fallbackSeed"/> is null, else placed by the hash rule and listed in
    /// <see cref="SplitResult.FallbackAssigned"/>. Published ids that are not among the chips are ignored.
    /// </summary>
    public static SplitResult ApplyPublished(IEnumerable<string> chipIds, PublishedSplit published,
        string? fallbackSeed = null, double trainFraction = DefaultTrainFraction)
    {
        CheckFraction(trainFraction);
        var train = new List<string>();
        var val = new List<string>();
        var unassigned = new List<string>();
        var fallback = new List<string>();
        foreach (var id in Distinct(chipIds))
        {
            if (published.Train.Contains(id)) train.Add(id);
            else if (published.Validation.Contains(id)) val.Add(id);
            else if (fallbackSeed is null) unassigned.Add(id);
            else
            {
                fallback.Add(id);
                (SideOf(fallbackSeed, id, trainFraction) == SplitSide.Train ? train : val).Add(id);
            }
        }
        return new SplitResult(train, val, unassigned, fallback);
    }

    /// <summary>
    /// Reads a published split (e.g. data/reference/clarkcga/train_ids.csv and val_ids.csv): column <c>ids</c>, or a
    /// header-less single column; CRLF or LF. An id in both files is an error naming it.
    /// </summary>
    public static PublishedSplit ReadPublished(string trainCsv, string validationCsv)
    {
        var train = ReadIdCsv(trainCsv);
        var val = ReadIdCsv(validationCsv);
        var both = train.Intersect(val).Order(StringComparer.Ordinal).Take(5).ToList();
        if (both.Count > 0)
            throw new InvalidDataException(
                $"published split: ids {string.Join(", ", both)} are in both '{trainCsv}' and '{validationCsv}'; expected disjoint sets");
        return new PublishedSplit(train, val);
    }

    /// <summary>Reads one id CSV: an optional header (<c>ids</c>) then one id per row (first column).</summary>
    public static HashSet<string> ReadIdCsv(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"split id CSV '{path}' does not exist", path);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var cell = raw.Split(',')[0].Trim().Trim('"').TrimStart('\uFEFF');
            if (cell.Length == 0) continue;
            if (lineNo == 1 && cell == "ids") continue;
            if (!ChipIds.TryShort(cell, out var id))
                throw new InvalidDataException($"'{path}' line {lineNo}: '{cell}' is not a chip id like 257_266 or chip_257_266");
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>
    /// Writes <c>train_ids.csv</c> and <c>val_ids.csv</c> (header <c>ids</c>, sorted short ids) and the header-less
    /// copies <c>train_ids_noheader.csv</c> / <c>val_ids_noheader.csv</c> into <paramref name="folder"/>.
    /// Returns the four paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(SplitResult split, string folder)
    {
        var paths = new[]
        {
            Path.Combine(folder, TrainFile), Path.Combine(folder, ValidationFile),
            Path.Combine(folder, TrainFileNoHeader), Path.Combine(folder, ValidationFileNoHeader),
        };
        FinishingFormat.WriteText(paths[0], IdCsv(split.Train, header: true));
        FinishingFormat.WriteText(paths[1], IdCsv(split.Validation, header: true));
        FinishingFormat.WriteText(paths[2], IdCsv(split.Train, header: false));
        FinishingFormat.WriteText(paths[3], IdCsv(split.Validation, header: false));
        return paths;
    }

    /// <summary>The text of an id CSV: optional header <c>ids</c>, then the sorted short ids, LF line ends.</summary>
    public static string IdCsv(IEnumerable<string> ids, bool header)
    {
        var rows = Distinct(ids);
        return FinishingFormat.Lines(header ? rows.Prepend("ids") : rows);
    }

    private static List<string> Distinct(IEnumerable<string> ids) =>
        ids.Select(ChipIds.Short).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static void CheckFraction(double f)
    {
        if (!(f > 0 && f < 1))
            throw new ArgumentOutOfRangeException(nameof(f), f, "train fraction must be strictly between 0 and 1");
    }
}
