namespace CropData.Ipfs.Retrieval;

/// <summary>
/// Builds sources from configuration strings <c>kind:target</c>, tried in the order given:
/// <list type="bullet">
/// <item><c>kubo:http://127.0.0.1:5001</c> — Kubo RPC dag/export (CAR, verified per block)</item>
/// <item><c>kubo-cat:http://127.0.0.1:5001</c> — Kubo RPC cat (plain bytes, verified by re-import; a last resort)</item>
/// <item><c>trustless-gateway:https://gw.example</c> — <c>GET /ipfs/CID?format=car</c></item>
/// <item><c>gateway:https://gw.example</c> — plain path gateway, verified by re-import, Range resume</item>
/// <item><c>car:/path/to/file-or-dir</c> — local CAR file or directory of CARs</item>
/// </list>
/// An optional <c>@N</c> suffix on the kind sets the concurrency limit (<c>kubo@8:http://…</c>).
/// </summary>
public static class IpfsSources
{
    public static IIpfsSource Parse(string spec, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == spec.Length - 1) throw new FormatException($"IPFS source '{spec}' is not of the form kind:target");
        var kind = spec[..colon].Trim().ToLowerInvariant();
        var target = spec[(colon + 1)..].Trim();
        int? limit = null;
        var at = kind.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!int.TryParse(kind[(at + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new FormatException($"IPFS source '{spec}': '{kind[(at + 1)..]}' is not a concurrency limit");
            limit = n;
            kind = kind[..at];
        }
        return kind switch
        {
            "kubo" => new KuboRpcSource(Url(spec, target), KuboRpcMode.DagExport, limit ?? 4, http),
            "kubo-cat" => new KuboRpcSource(Url(spec, target), KuboRpcMode.Cat, limit ?? 4, http),
            "trustless-gateway" => new TrustlessGatewaySource(Url(spec, target), limit ?? 4, http),
            "gateway" => new PathGatewaySource(Url(spec, target), limit ?? 4, http),
            "car" => new LocalCarSource(target, limit ?? 2),
            _ => throw new FormatException($"IPFS source '{spec}': unknown kind '{kind}' (kubo, kubo-cat, trustless-gateway, gateway, car)"),
        };
    }

    public static IReadOnlyList<IIpfsSource> ParseAll(IEnumerable<string> specs, HttpClient? http = null) => [.. specs.Select(s => Parse(s, http))];

    private static Uri Url(string spec, string target) =>
        Uri.TryCreate(target, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? u
            : throw new FormatException($"IPFS source '{spec}': '{target}' is not an http(s) URL");
}
