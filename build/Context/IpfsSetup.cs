using CropData.Dataset.Config;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Retrieval;

namespace CropData.Build.Context;

/// <summary>Turns the configured IPFS sources into one fetcher (shared by a task's units: per-source limits hold).</summary>
public static class IpfsSetup
{
    public static IpfsFetcher CreateFetcher(DatasetContext c)
    {
        var specs = c.Config.Ipfs.Sources.Select(s => Spec(c, s));
        return new IpfsFetcher(IpfsSources.ParseAll(specs, NewHttp()), Options(c));
    }

    /// <summary>
    /// The block fetcher of download.mode ranges: the kubo (block/get), trustless (?format=raw) and car sources in the
    /// configured order, behind the data folder's block cache. Path gateways and kubo-cat serve whole files only (their
    /// bytes can be verified by re-import, not by block) and are left out.
    /// </summary>
    public static BlockFetcher CreateBlockFetcher(DatasetContext c)
    {
        var http = NewHttp();
        var sources = new List<IBlockSource>();
        foreach (var s in c.Config.Ipfs.Sources)
        {
            var limit = s.Concurrency ?? c.Config.Ipfs.Concurrency;
            switch (s.Kind)
            {
                case "kubo": sources.Add(new KuboBlockSource(new Uri(s.Url!), limit, http)); break;
                case "trustless": sources.Add(new GatewayBlockSource(new Uri(s.Url!), limit, http)); break;
                case "car": sources.Add(new CarBlockSource(c.Resolve(s.Path!), limit)); break;
            }
        }
        var maxBytes = c.Config.Download.BlockCacheMaxMb is { } mb ? (long)(mb * 1024 * 1024) : (long?)null;
        var cache = new BlockCache(c.Paths.BlockCache, maxBytes);
        cache.SweepDeadTemps();   // what killed builds were writing (never under a block's name)
        return new BlockFetcher(sources, cache, Options(c));
    }

    private static HttpClient NewHttp() => new() { Timeout = Timeout.InfiniteTimeSpan };

    private static IpfsFetchOptions Options(DatasetContext c)
    {
        var i = c.Config.Ipfs;
        return new IpfsFetchOptions
        {
            MaxAttemptsPerSource = i.MaxTries,
            ResponseTimeout = TimeSpan.FromSeconds(i.TimeoutSeconds),
            StallTimeout = TimeSpan.FromSeconds(i.TimeoutSeconds),
            CheckTimeout = TimeSpan.FromSeconds(i.CheckTimeoutSeconds),
        };
    }

    private static string Spec(DatasetContext c, IpfsSource s)
    {
        var kind = s.Kind switch { "trustless" => "trustless-gateway", var k => k };
        if (s.Concurrency is { } n) kind += "@" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return kind + ":" + (s.Kind == "car" ? c.Resolve(s.Path!) : s.Url);
    }
}
