using CropData.Stac;
using CropData.Stac.Api;
using CropData.Stac.Auth;
using CropData.Stac.Download;
using CropData.Stac.Static;

namespace CropData.Build.Context;

/// <summary>Opens a configured STAC location: an http(s) API, or a static catalog.json on disk.</summary>
public static class StacSources
{
    public static bool IsLocal(string location) =>
        !(location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    public static IStacSource Open(DatasetContext c, string location)
    {
        if (IsLocal(location)) return StaticCatalog.Open(c.Resolve(location));
        var uri = new Uri(location.EndsWith('/') ? location : location + "/");
        var s = c.Config.Stac;
        var credentials = EarthdataAuth.Resolve(new EarthdataAuthOptions { TokenVariable = s.TokenEnv }, uri.Host);
        return new StacApiClient(uri, new StacClientOptions
        {
            MaxTries = s.MaxTries,
            MaxConcurrency = s.Concurrency,
            RequestTimeout = TimeSpan.FromSeconds(s.TimeoutSeconds),
            Credentials = credentials,
            AuthHosts = [uri.Host],
            Log = c.Log.Verbose,
        });
    }

    /// <summary>
    /// The https band source (docs/PIPELINE.md stage 7): the same Earthdata credentials as the STAC client, sent by
    /// <see cref="EarthdataTokenRule"/> to the href's origin and the authentication hosts only.
    /// </summary>
    public static EarthdataDownloader OpenDownloader(DatasetContext c)
    {
        var d = c.Config.Download;
        return new EarthdataDownloader(new EarthdataDownloadOptions
        {
            Credentials = EarthdataAuth.Resolve(new EarthdataAuthOptions { TokenVariable = c.Config.Stac.TokenEnv }, EarthdataAuthOptions.UrsHost),
            AuthHosts = d.AuthHosts.ToList(),
            MaxTries = d.MaxTries,
            RequestTimeout = TimeSpan.FromSeconds(d.TimeoutSeconds),
            Log = c.Log.Verbose,
        });
    }

    /// <summary>A static catalog's files are the unit's inputs (regenerating it reruns the search); an API has none.</summary>
    public static IEnumerable<string> InputFiles(DatasetContext c, string location)
    {
        if (!IsLocal(location)) return [];
        var root = Path.GetDirectoryName(c.Resolve(location))!;
        return Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [c.Resolve(location)];
    }
}
