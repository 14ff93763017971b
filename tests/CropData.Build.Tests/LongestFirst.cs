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
    // Longest first, as measured on 2 cores (each collection's tests run one after another; a class fixture's builds
    // count: the sharded samples build 4 datasets before their first test, the IPFS collection starts a js-ipfs node).
    private static readonly string[] Heaviest =
    [
        nameof(IncrementalSampleTests),
        ReliabilityCollection.Name,           // a fresh build killed at eight points
        nameof(SharedSampleInputsTests),
        nameof(EngineOwnsDatasetTests),
        nameof(RandomSequenceSampleTests),
        HostilePeerCollection.Name,
        nameof(Shards.ShardedBuildTests),
        ConcurrencyCollection.Name,
        CropData.Ipfs.Tests.Support.IpfsNodeCollection.Name, // ranges: the sample through the js-ipfs node, the full-size tile
        ForcedCrashCollection.Name,
        InputsCollection.Name,                // bad inputs, 31 rows
        nameof(ScenesPerChipTests),
        nameof(Shards.ShardedTilesTests),
        nameof(CommandLineTests),
        nameof(HttpsSourceTests),
        nameof(SampleDatasetTests),
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
