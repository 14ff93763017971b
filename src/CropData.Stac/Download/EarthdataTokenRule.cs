using System.Net;
using CropData.Stac.Auth;

namespace CropData.Stac.Download;

/// <summary>
/// Which request of an https band download carries the Earthdata credentials (docs/PIPELINE.md stage 7). LP DAAC answers a
/// band href with a redirect to urs.earthdata.nasa.gov (login), back to itself, then to a signed S3 URL. Like earthaccess,
/// the token follows the redirects to the authentication host; unlike a client that sends it everywhere, it goes only to:
/// <list type="bullet">
/// <item>the href's own origin (scheme, host and port exactly as in the href),</item>
/// <item>an authentication host: urs.earthdata.nasa.gov or a configured host (<c>host</c> matches any port, <c>host:port</c> that port),</item>
/// </list>
/// and only over https (or to a loopback address). Anything else — the signed S3 URL above all, which refuses a request
/// carrying a second authorization and must never see the token — gets no Authorization header.
/// </summary>
public static class EarthdataTokenRule
{
    public static bool SendsCredentials(Uri href, Uri target, IReadOnlyCollection<string> authHosts)
    {
        if (target.Scheme != Uri.UriSchemeHttps && !IsLoopback(target)) return false;
        if (SameOrigin(href, target)) return true;
        if (string.Equals(target.Host, EarthdataAuthOptions.UrsHost, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var h in authHosts)
        {
            var colon = h.LastIndexOf(':');
            var port = -1;
            var hasPort = colon > 0 && int.TryParse(h.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port);
            var host = hasPort ? h[..colon] : h;
            if (string.Equals(host, target.Host, StringComparison.OrdinalIgnoreCase) && (!hasPort || port == target.Port)) return true;
        }
        return false;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private static bool IsLoopback(Uri u) => u.IsLoopback || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
