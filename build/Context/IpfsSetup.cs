using CropData.Dataset.Config;
using CropData.Ipfs.Retrieval;

namespace CropData.Build.Context;

/// <summary>Turns the configured IPFS sources into one fetcher (shared by a task's units: per-source limits hold).</summary>
public static class IpfsSetup
{
    public static IpfsFetcher CreateFetcher(DatasetContext c)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var specs = c.Config.Ipfs.Sources.Select(s => Spec(c, s));
        var i = c.Config.Ipfs;
        return new IpfsFetcher(IpfsSources.ParseAll(specs, http), new IpfsFetchOptions
        {
            MaxAttemptsPerSource = i.MaxTries,
            ResponseTimeout = TimeSpan.FromSeconds(i.TimeoutSeconds),
            StallTimeout = TimeSpan.FromSeconds(i.TimeoutSeconds),
            CheckTimeout = TimeSpan.FromSeconds(i.CheckTimeoutSeconds),
        });
    }

    private static string Spec(DatasetContext c, IpfsSource s)
    {
        var kind = s.Kind switch { "trustless" => "trustless-gateway", var k => k };
        if (s.Concurrency is { } n) kind += "@" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return kind + ":" + (s.Kind == "car" ? c.Resolve(s.Path!) : s.Url);
    }
}
