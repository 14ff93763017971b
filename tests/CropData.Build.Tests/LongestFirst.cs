using CropData.Build.Tests.Reliability;
using Xunit.Abstractions;

[assembly: Xunit.TestCollectionOrderer("CropData.Build.Tests.LongestFirst", "CropData.Build.Tests")]

namespace CropData.Build.Tests;

/// <summary>
/// Starts the longest test collections first. xunit runs as many collections at once as xunit.runner.json allows and
/// starts the next when one ends, so a long collection started last would run alone at the end while the cores idle
/// (the longest-processing-time rule). The order changes when tests run, never what they check.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    // Longest first, as measured on 2 cores (each collection's tests run one after another).
    private static readonly string[] Heaviest =
    [
        ReliabilityCollection.Name,           // a fresh build killed at eight points
        InputsCollection.Name,                // bad inputs, 31 rows
        ForcedCrashCollection.Name,
        HostilePeerCollection.Name,
        nameof(RandomSequenceSampleTests),
        nameof(SharedSampleInputsTests),
        nameof(EngineOwnsDatasetTests),
        nameof(IncrementalSampleTests),
        nameof(ScenesPerChipTests),
        nameof(HttpsSourceTests),
        ConcurrencyCollection.Name,
        PathSafetyCollection.Name,
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Rank(ITestCollection c)
    {
        // A class's own collection is named "Test collection for <namespace>.<class>".
        int i = Array.FindIndex(Heaviest, h => c.DisplayName == h || c.DisplayName.EndsWith("." + h, StringComparison.Ordinal));
        return i < 0 ? Heaviest.Length : i;
    }
}
