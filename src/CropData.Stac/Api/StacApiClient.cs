using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using CropData.Stac.Auth;
using CropData.Stac.Model;

namespace CropData.Stac.Api;

/// <summary>
/// A STAC API client on HttpClient + System.Text.Json: POST /search (GET after a 405), paging through
/// links[rel=next] (GET hrefs, or POST with body/merge/headers as the item-search spec allows), retries of 429
/// (Retry-After in seconds or as an HTTP date), 5xx, timeouts and connection failures with capped exponential
/// back-off, one concurrency limit for every request of the client, and Earthdata credentials sent only to the
/// API host, urs.earthdata.nasa.gov and configured hosts.
/// </summary>
public sealed class StacApiClient : IStacSource, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SemaphoreSlim _gate;
    private readonly StacClientOptions _options;
    private readonly HashSet<string> _authHosts;
    private volatile bool _postUnsupported;

    public StacApiClient(Uri apiRoot, StacClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        _options = options ?? new StacClientOptions();
        if (_options.MaxTries < 1) throw new ArgumentException($"MaxTries must be ≥ 1, was {_options.MaxTries}", nameof(options));
        if (_options.MaxConcurrency < 1) throw new ArgumentException($"MaxConcurrency must be ≥ 1, was {_options.MaxConcurrency}", nameof(options));
        ApiRoot = apiRoot.AbsoluteUri.EndsWith('/') ? apiRoot : new Uri(apiRoot.AbsoluteUri + "/");
        SearchUri = new Uri(ApiRoot, _options.SearchPath);
        _ownsHttp = true;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = _options.MaxConcurrency,
        }, disposeHandler: handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CropData.Stac", "1.0"));
        _gate = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        _authHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ApiRoot.Host, EarthdataAuthOptions.UrsHost };
        foreach (var h in _options.AuthHosts) _authHosts.Add(h);
    }

    public Uri ApiRoot { get; }
    public Uri SearchUri { get; }
    public string Description => ApiRoot.AbsoluteUri;

    /// <summary>True once the server answered 405 to a POST search; later searches use GET.</summary>
    public bool PostUnsupported => _postUnsupported;

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        _gate.Dispose();
    }

    private sealed record PageRequest(HttpMethod Method, Uri Uri, JsonObject? Body, IReadOnlyDictionary<string, string>? Headers)
    {
        public string Key => Method + " " + Uri.AbsoluteUri + " " + (Body is null ? "" : StacJson.ToCompactString(Body));
    }

    private PageRequest FirstGet(StacSearchRequest request)
    {
        var q = request.ToQueryString();
        return new PageRequest(HttpMethod.Get, new Uri(SearchUri.AbsoluteUri + (q.Length > 0 ? "?" + q : "")), null, null);
    }

    public async IAsyncEnumerable<StacItem> SearchAsync(StacSearchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = _options.UseGet || _postUnsupported ? FirstGet(request) : new PageRequest(HttpMethod.Post, SearchUri, request.ToJsonBody(), null);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        long returned = 0;
        while (next is not null)
        {
            if (!seen.Add(next.Key))
            {
                Log($"search {SearchUri}: the next link repeats an earlier page ({next.Method} {next.Uri}); stopping");
                yield break;
            }
            if (++pages > _options.MaxPages)
                throw new StacHttpException($"search {SearchUri}: more than {_options.MaxPages} pages; the server's next links do not end", next.Uri, null, 0);

            var current = next;
            var result = await SendAsync(() => BuildRequest(current), $"search page {pages} ({current.Method} {current.Uri})", cancellationToken).ConfigureAwait(false);
            if (result.Status == HttpStatusCode.MethodNotAllowed && current.Method == HttpMethod.Post && pages == 1)
            {
                // Spec: GET /search is required of a STAC API, POST only recommended.
                _postUnsupported = true;
                Log($"search {SearchUri}: POST answered 405, using GET");
                next = FirstGet(request);
                seen.Clear();
                pages = 0;
                continue;
            }
            if (!IsSuccess(result.Status)) throw Failure(result, $"search page {pages} ({current.Method} {current.Uri})");

            var root = StacJson.Parse(result.Body, $"search page {pages} from {result.Uri}") as JsonObject
                       ?? throw new FormatException($"search page {pages} from {result.Uri}: expected a FeatureCollection object");
            var features = root["features"] as JsonArray
                           ?? throw new FormatException($"search page {pages} from {result.Uri}: no 'features' array");
            foreach (var f in features)
                if (f is JsonObject fo)
                {
                    returned++;
                    yield return StacItem.FromJson(fo, $"search page {pages} from {result.Uri}", result.Uri);
                }

            next = null;
            // A page without features ends the search even if it has a next link (some servers always emit one).
            if (features.Count == 0) break;
            // So does having every matched item (numberMatched, or the Context extension's context.matched): CMR
            // STAC still links a next page after the last one, which would cost one more request per search.
            if (Matched(root) is { } matched && returned >= matched) break;
            var link = root["links"] is JsonArray links
                ? links.OfType<JsonObject>().Select(l => StacLink.FromJson(l, $"search page {pages}")).FirstOrDefault(l => l.Rel == "next")
                : null;
            if (link is null) break;
            var method = string.Equals(link.Method, "POST", StringComparison.OrdinalIgnoreCase) ? HttpMethod.Post : HttpMethod.Get;
            var uri = new Uri(result.Uri, link.Href);
            JsonObject? body = null;
            if (method == HttpMethod.Post)
            {
                if (link.Merge)
                {
                    body = (JsonObject)(current.Body ?? request.ToJsonBody()).DeepClone();
                    if (link.Body is not null)
                        foreach (var (k, v) in link.Body) body[k] = v?.DeepClone();
                }
                else body = (JsonObject?)link.Body?.DeepClone() ?? [];
            }
            next = new PageRequest(method, uri, body, link.Headers);
        }
    }

    /// <summary>The page's total match count: <c>numberMatched</c> (OGC API Features) or <c>context.matched</c> (Context extension).</summary>
    internal static long? Matched(JsonObject page)
    {
        static long? Count(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var x) && x >= 0 ? x
            : n is JsonValue d && d.TryGetValue<double>(out var y) && y >= 0 && y == Math.Floor(y) ? (long)y : null;
        return Count(page["numberMatched"]) ?? (page["context"] is JsonObject c ? Count(c["matched"]) : null);
    }

    public async Task<IReadOnlyList<StacItem>> SearchAllAsync(StacSearchRequest request, CancellationToken cancellationToken = default)
    {
        var list = new List<StacItem>();
        await foreach (var item in SearchAsync(request, cancellationToken).ConfigureAwait(false)) list.Add(item);
        return list;
    }

    public async Task<JsonNode> GetJsonAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        if (uri.IsFile) return StacJson.Parse(await File.ReadAllBytesAsync(uri.LocalPath, cancellationToken).ConfigureAwait(false), uri.LocalPath);
        var result = await SendAsync(() =>
        {
            var m = new HttpRequestMessage(HttpMethod.Get, uri);
            m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return m;
        }, $"GET {uri}", cancellationToken).ConfigureAwait(false);
        if (!IsSuccess(result.Status)) throw Failure(result, $"GET {uri}");
        return StacJson.Parse(result.Body, result.Uri.AbsoluteUri);
    }

    private static bool IsSuccess(HttpStatusCode s) => (int)s is >= 200 and < 300;

    private StacHttpException Failure(HttpResult r, string what)
    {
        var body = Encoding.UTF8.GetString(r.Body.AsSpan(0, Math.Min(r.Body.Length, 300)));
        return new StacHttpException(Redact($"{what}: HTTP {(int)r.Status} {r.Status}; response starts '{body}'"), r.Uri, r.Status, r.Tries);
    }

    private HttpRequestMessage BuildRequest(PageRequest p)
    {
        var m = new HttpRequestMessage(p.Method, p.Uri);
        m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/geo+json"));
        m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (p.Body is not null)
            m.Content = new StringContent(StacJson.ToCompactString(p.Body), Encoding.UTF8, "application/json");
        if (p.Headers is not null)
            foreach (var (k, v) in p.Headers)
                if (!m.Headers.TryAddWithoutValidation(k, v)) m.Content?.Headers.TryAddWithoutValidation(k, v);
        return m;
    }

    internal sealed record HttpResult(HttpStatusCode Status, byte[] Body, Uri Uri, int Tries);

    /// <summary>One request with retries. Returns the first response that is neither 429 nor 5xx.</summary>
    internal async Task<HttpResult> SendAsync(Func<HttpRequestMessage> make, string what, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            string problem;
            HttpStatusCode? status = null;
            Uri? uri = null;
            Exception? error = null;
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                using var request = make();
                uri = request.RequestUri!;
                if (_options.Credentials is { } creds && _authHosts.Contains(uri.Host))
                    request.Headers.Authorization = creds.HeaderValue();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                    status = response.StatusCode;
                    var code = (int)response.StatusCode;
                    if (code == 429)
                    {
                        var retryAfter = RetryAfter(response.Headers.RetryAfter);
                        wait = retryAfter ?? Backoff(attempt);
                        problem = "HTTP 429 Too Many Requests" + (retryAfter is null ? "" : $" (Retry-After {Seconds(retryAfter.Value)} s)");
                    }
                    else if (code >= 500)
                    {
                        wait = Backoff(attempt);
                        problem = $"HTTP {code} {response.StatusCode}";
                    }
                    else return new HttpResult(response.StatusCode, body, response.RequestMessage?.RequestUri ?? uri, attempt);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    wait = Backoff(attempt);
                    problem = $"no complete response within {Seconds(_options.RequestTimeout)} s";
                    error = e;
                }
                catch (HttpRequestException e)
                {
                    wait = Backoff(attempt);
                    problem = $"request failed ({e.Message})";
                    error = e;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (attempt >= _options.MaxTries)
                throw new StacHttpException(Redact($"{what}: gave up after {attempt} tries; last try: {problem}"), uri ?? SearchUri, status, attempt,
                    error is null ? null : new Exception(Redact(error.Message)));
            Log($"{what}: {problem}; try {attempt + 1} of {_options.MaxTries} in {Seconds(wait)} s");
            await _options.Delay(wait, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? h)
    {
        TimeSpan? wait = h?.Delta ?? (h?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is null) return null;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait;
    }

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ms = Math.Min(_options.BaseBackoff.TotalMilliseconds * factor, _options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private string Redact(string text) => _options.Credentials?.Redact(text) ?? text;

    private void Log(string message) => _options.Log?.Invoke(Redact(message));
}
