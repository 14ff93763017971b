using System.Globalization;

namespace CropData.Dataset.Finishing;

/// <summary>
/// Pixel counts per mask value (stage 13/14), mergeable: count each chip's mask (or each split's chips) into its own
/// instance and <see cref="Merge"/>. All 256 byte values are counted so a value outside 0..13 is not lost:
/// <see cref="OutOfRange"/> reports it (the weights refuse such data, naming the values).
/// </summary>
public sealed class ClassPixelCounts
{
    public const string CsvHeader = "class,name,pixels";
    private readonly long[] _counts = new long[256];

    public void Add(ReadOnlySpan<byte> mask)
    {
        foreach (var v in mask) _counts[v]++;
    }

    /// <summary>The sum of per-chip (or per-split) class counts, indexed by class value.</summary>
    public static ClassPixelCounts Sum(IEnumerable<IReadOnlyList<long>> counts)
    {
        var total = new ClassPixelCounts();
        foreach (var row in counts)
            for (int cls = 0; cls < row.Count; cls++)
                if (row[cls] > 0) total.Add(cls, row[cls]);
        return total;
    }

    public void Add(int classId, long pixels)
    {
        if (classId is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(classId), classId, "mask values are bytes");
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        _counts[classId] = checked(_counts[classId] + pixels);
    }

    public void Merge(ClassPixelCounts other)
    {
        for (int i = 0; i < 256; i++) _counts[i] = checked(_counts[i] + other._counts[i]);
    }

    public long this[int classId] => _counts[classId];

    /// <summary>Counts of classes 0..13.</summary>
    public IReadOnlyList<long> Classes => _counts.AsSpan(0, CropClasses.Count).ToArray();

    public long Total => _counts.Sum();

    /// <summary>Mask values above 13 with their pixel counts (empty for a valid dataset).</summary>
    public IReadOnlyDictionary<int, long> OutOfRange =>
        Enumerable.Range(CropClasses.Count, 256 - CropClasses.Count).Where(i => _counts[i] > 0).ToDictionary(i => i, i => _counts[i]);

    /// <summary>Share of each class 0..13 in percent of all counted pixels (0 when nothing counted).</summary>
    public IReadOnlyList<double> Percentages
    {
        get
        {
            long total = Total;
            return Classes.Select(c => total == 0 ? 0.0 : 100.0 * c / total).ToList();
        }
    }

    /// <summary>CSV <c>class,name,pixels</c> for classes 0..13 (plus any out-of-range value present).</summary>
    public string ToCsv()
    {
        var rows = new List<string> { CsvHeader };
        for (int i = 0; i < 256; i++)
            if (i < CropClasses.Count || _counts[i] > 0)
                rows.Add($"{FinishingFormat.Int(i)},{CropClasses.NameOf(i)},{FinishingFormat.Int(_counts[i])}");
        return FinishingFormat.Lines(rows);
    }

    public void WriteCsv(string path) => FinishingFormat.WriteText(path, ToCsv());

    /// <summary>Reads what <see cref="ToCsv"/> wrote (to merge stored partials, e.g. per split).</summary>
    public static ClassPixelCounts ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"class count CSV '{path}' does not exist", path);
        var c = new ClassPixelCounts();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1)
            {
                if (line.Trim() != CsvHeader) throw new InvalidDataException($"'{path}': header '{line}', expected '{CsvHeader}'");
                continue;
            }
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != 3 ||
                !int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out var cls) || cls > 255 ||
                !long.TryParse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture, out var px))
                throw new InvalidDataException($"'{path}' line {lineNo}: '{line}' is not 'class,name,pixels'");
            c.Add(cls, px);
        }
        return c;
    }
}
