using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using CropData.Stac.Auth;

namespace CropData.Stac.Download;

/// <summary>Settings of <see cref="EarthdataDownloader"/> (config section <c>download</c>).</summary>
public sealed record EarthdataDownloadOptions
{
    public EarthdataCredentials? Credentials { get; init; }
    /// <summary>Authentication hosts besides urs.earthdata.nasa.gov (host, or host:port); see <see cref="EarthdataTokenRule"/>.</summary>
    public IReadOnlyCollection<string> AuthHosts { get; init; } = [];
    public int MaxTries { get; init; } = 3;
    /// <summary>Time allowed for one try, redirects and body included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxRedirects { get; init; } = 10;
    public Action<string>? Log { get; init; }
}

/// <summary>One request of a download as sent: where, and whether it carried the credentials.</summary>
public sealed record DownloadHop(Uri Uri, HttpStatusCode Status, bool SentCredentials);

/// <summary>A file fetched over https, with the redirect chain it took.</summary>
public sealed record DownloadResult(long Bytes, IReadOnlyList<DownloadHop> Hops);

public sealed class EarthdataDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches a granule file by its https href as earthaccess does (docs/PIPELINE.md stage 7): redirects followed by hand so
/// that each hop gets the Earthdata credentials only when <see cref="EarthdataTokenRule"/> allows it, cookies kept (the
/// URS login sets a session cookie on the data host), 5xx, 408, 429, timeouts and dropped connections retried from the
/// href (signed URLs expire). The body goes to the destination path; the caller verifies it before using it.
/// </summary>
public sealed class EarthdataDownloader : IDisposable
{
    private readonly HttpClient _http;
    private readonly EarthdataDownloadOptions _options;

    public EarthdataDownloader(EarthdataDownloadOptions options)
    {
        _options = options;
        if (options.MaxTries < 1) throw new ArgumentException($"MaxTries must be >= 1, was {options.MaxTries}", nameof(options));
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CropData.Stac", "1.0"));
    }

    public void Dispose() => _http.Dispose();

    public async Task<DownloadResult> DownloadAsync(Uri href, string destination, CancellationToken ct = default)
    {
        if (href.Scheme != Uri.UriSchemeHttps && href.Scheme != Uri.UriSchemeHttp)
            throw new EarthdataDownloadException($"{Show(href)}: not an http(s) URL");
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            Exception? error = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                var (status, result) = await TryOnceAsync(href, destination, timeout.Token).ConfigureAwait(false);
                if (result is not null) return result;
                var code = (int)status;
                if (code is not (>= 500 or 408 or 429))
                    throw new EarthdataDownloadException(Redact($"{Show(href)}: HTTP {code} {status}" +
                        (code is 401 or 403 ? (_options.Credentials is null ? " (no Earthdata credentials: set the token variable named by stac.token_env, or ~/.netrc)" : " (the Earthdata credentials were refused)") : "")));
                problem = $"HTTP {code} {status}";
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                problem = $"no complete response within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
                error = e;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                problem = $"request failed ({e.Message})";
                error = e;
            }
            if (File.Exists(destination)) File.Delete(destination);
            if (attempt >= _options.MaxTries)
                throw new EarthdataDownloadException(Redact($"{Show(href)}: gave up after {attempt} tries; last try: {problem}"),
                    error is null ? null : new Exception(Redact(error.Message)));
            _options.Log?.Invoke(Redact($"{Show(href)}: {problem}; try {attempt + 1} of {_options.MaxTries}"));
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
        }
    }

    /// <summary>One pass from the href through its redirects: the body on a 2xx, else the final status.</summary>
    private async Task<(HttpStatusCode Status, DownloadResult? Result)> TryOnceAsync(Uri href, string destination, CancellationToken ct)
    {
        var hops = new List<DownloadHop>();
        var uri = href;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            var send = _options.Credentials is not null && EarthdataTokenRule.SendsCredentials(href, uri, _options.AuthHosts);
            if (send) request.Headers.Authorization = _options.Credentials!.HeaderValue();
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            hops.Add(new DownloadHop(uri, response.StatusCode, send));
            var code = (int)response.StatusCode;
            if (code is 301 or 302 or 303 or 307 or 308)
            {
                if (response.Headers.Location is not { } location)
                    throw new EarthdataDownloadException($"{Show(uri)}: HTTP {code} without a Location header");
                if (redirects >= _options.MaxRedirects)
                    throw new EarthdataDownloadException($"{Show(href)}: more than {_options.MaxRedirects} redirects (last to {Show(location)})");
                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }
            if (code is < 200 or >= 300) return (response.StatusCode, null);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            long bytes;
            await using (var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await response.Content.CopyToAsync(file, ct).ConfigureAwait(false);
                bytes = file.Length;
            }
            if (response.Content.Headers.ContentLength is { } expected && expected != bytes)
                throw new IOException($"{Show(uri)}: {bytes} bytes received, Content-Length said {expected}");
            return (response.StatusCode, new DownloadResult(bytes, hops));
        }
    }

    /// <summary>A URL for messages: without its query, which holds the signature of a signed S3 URL.</summary>
    public static string Show(Uri u) => u.GetLeftPart(UriPartial.Path) + (u.Query.Length > 0 ? "?…" : "");

    private string Redact(string text) => _options.Credentials?.Redact(text) ?? text;
}
