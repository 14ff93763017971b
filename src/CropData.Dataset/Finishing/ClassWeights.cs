namespace CropData.Dataset.Finishing;

/// <summary>
/// Stage 13, class weights keyed by class id 0..13.
/// <para>
/// Reading of the original (easierdata scripts/calc_class_weights.py, ClarkCGA cal_weights.ipynb): sklearn
/// <c>compute_class_weight("balanced", classes=np.unique(y), y=y)</c> over every pixel of every filtered mask, class 0
/// included in y — so n_samples is all pixels and n_classes counts 0 when present — giving
/// w_c = n_samples / (n_classes · count_c); then divided by their sum; then <c>insert(0, 0)</c>. That insert is the
/// defect the spec names: with class 0 present the list gets 15 entries and every weight lands one class too high, and
/// with another class absent the ids after it shift. Here the weight is keyed by class id: weight[0] = 0, weight of an
/// absent class = 0, and the weights of the present classes 1..13 are normalised to sum 1 (the baseline config's
/// 13 published weights sum to 1 too). Whether class-0 pixels are in n_samples and n_classes does not matter after
/// that normalisation: both are common factors, so w_c = (1 / count_c) / Σ_{present c' ≠ 0} (1 / count_c').
/// We still evaluate sklearn's expression literally before normalising.
/// </para>
/// </summary>
public sealed record ClassWeights(IReadOnlyList<double> Weights)
{
    public const string CsvFile = "class_weights.csv";
    public const int CsvDecimals = 12;

    /// <summary>sklearn-"balanced" weights from pixel counts (see the type's remarks).</summary>
    public static ClassWeights Balanced(ClassPixelCounts counts)
    {
        var bad = counts.OutOfRange;
        if (bad.Count > 0)
            throw new InvalidDataException("class weights: mask values outside 0..13 found: " +
                string.Join(", ", bad.Select(kv => $"{kv.Key} ({kv.Value} px)")) + "; expected the 13 classes and 0");
        var c = counts.Classes;
        long nSamples = c.Sum();
        int nPresent = c.Count(x => x > 0);
        var w = new double[CropClasses.Count];
        for (int i = 1; i < CropClasses.Count; i++)
            if (c[i] > 0) w[i] = nSamples / ((double)nPresent * c[i]);
        double sum = w.Sum();
        if (sum == 0)
            throw new InvalidDataException($"class weights: no pixel of classes 1..13 among {nSamples} mask pixels");
        for (int i = 1; i < w.Length; i++) w[i] /= sum;
        return new ClassWeights(w);
    }

    public double this[int classId] => Weights[classId];

    /// <summary>The 13 weights of classes 1..13 in order: the form of the baseline config's <c>criterion.weight</c>,
    /// which its losses widen to 14 by inserting 0 at <c>ignore_index</c> 0.</summary>
    public IReadOnlyList<double> WithoutClassZero => Weights.Skip(1).ToList();

    /// <summary>CSV <c>class,weight</c>, classes 0..13, weights with 12 fixed decimals.</summary>
    public string ToCsv() =>
        FinishingFormat.Lines(Weights.Select((w, i) => $"{FinishingFormat.Int(i)},{FinishingFormat.Fixed(w, CsvDecimals)}").Prepend("class,weight"));

    public string Write(string folder)
    {
        var path = Path.Combine(folder, CsvFile);
        FinishingFormat.WriteText(path, ToCsv());
        return path;
    }
}
