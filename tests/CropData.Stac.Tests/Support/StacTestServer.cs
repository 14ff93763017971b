using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac.Tests.Support;

public enum PagingMode { PostMerge, PostToken }

/// <summary>A fault the server plays on the next matching requests.</summary>
internal sealed record Fault(string PathPrefix, int StatusCode, string? RetryAfter = null, TimeSpan? Delay = null, string? Method = null)
{
    public int Remaining { get; set; } = 1;
}

internal sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string Body, int Status);

/// <summary>
/// A STAC API on a real socket (HttpListener bound to 127.0.0.1 on a free port): GET and POST /search with
/// collections, ids, datetime, bbox and intersects (bbox intersection, like the static catalog) and paging by
/// links[rel=next] (GET hrefs; POST body with merge, or a continuation token without merge), plus any documents
/// under fixed paths (UMM-G JSON). Faults (429 + Retry-After, 5xx, slow answers) and a 405 on POST are injectable.
/// </summary>
internal sealed class StacTestServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, (JsonObject Body, int Offset)> _tokens = new();
    private int _inFlight;
    private int _tokenCounter;

    public StacTestServer(IEnumerable<StacItem> items, IReadOnlyDictionary<string, byte[]>? documents = null)
    {
        Items = items.ToList();
        Documents = documents ?? new Dictionary<string, byte[]>();
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            // A listener whose Start failed is closed: each attempt (another port) gets a new one.
            var listener = new HttpListener();
            try
            {
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                listener.Prefixes.Add($"http://localhost:{port}/");
                listener.Start();
                _listener = listener;
                Port = port;
                break;
            }
            catch (HttpListenerException) when (attempt < 10) { listener.Close(); }
        }
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");
    public List<StacItem> Items { get; }
    public IReadOnlyDictionary<string, byte[]> Documents { get; }
    public int DefaultPageSize { get; set; } = 10;
    public PagingMode Paging { get; set; } = PagingMode.PostMerge;
    public bool RejectPost { get; set; }
    /// <summary>Links a next page after the last one too, as CMR STAC does (GET paging only).</summary>
    public bool AlwaysLinkNext { get; set; }
    /// <summary>Where the page states the total: "numberMatched" (OGC API), "context" (Context extension's matched) or "none".</summary>
    public string MatchedAs { get; set; } = "numberMatched";
    public TimeSpan ResponseDelay { get; set; }
    /// <summary>Echo the request's Authorization header in error bodies (to prove the client redacts it).</summary>
    public bool EchoAuthorizationOnError { get; set; }
    public ConcurrentQueue<Fault> Faults { get; } = new();
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public int MaxInFlight;

    private async Task AcceptLoop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = MaxInFlight) < now && Interlocked.CompareExchange(ref MaxInFlight, now, seen) != seen) { }
        var body = "";
        var recorded = false;
        // The request is recorded before its answer is written: a client that has its answer must find it recorded.
        async Task Respond(int status, byte[] bytes, string type = "application/json")
        {
            Interlocked.Decrement(ref _inFlight);
            Requests.Enqueue(new RecordedRequest(ctx.Request.HttpMethod, ctx.Request.Url!.PathAndQuery, ctx.Request.Headers["Authorization"], body, status));
            recorded = true;
            await WriteAsync(ctx, status, bytes, type);
        }
        Task RespondText(int status, string text, string type = "application/json") => Respond(status, Encoding.UTF8.GetBytes(text), type);
        try
        {
            using (var r = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await r.ReadToEndAsync();
            var path = ctx.Request.Url!.AbsolutePath;
            if (ResponseDelay > TimeSpan.Zero) await Task.Delay(ResponseDelay);
            var fault = TakeFault(path, ctx.Request.HttpMethod);
            if (fault is not null)
            {
                if (fault.Delay is { } d) await Task.Delay(d);
                if (fault.StatusCode != 200)
                {
                    if (fault.RetryAfter is not null) ctx.Response.Headers["Retry-After"] = fault.RetryAfter;
                    await RespondText(fault.StatusCode, "{\"code\":\"fault\",\"description\":\"injected " + fault.StatusCode + ErrorEcho(ctx) + "\"}");
                    return;
                }
            }
            if (path == "/search")
            {
                if (ctx.Request.HttpMethod == "POST" && RejectPost)
                {
                    ctx.Response.Headers["Allow"] = "GET";
                    await RespondText(405, "{\"code\":\"MethodNotAllowed\"}");
                    return;
                }
                var page = ctx.Request.HttpMethod == "POST" ? SearchPost(body) : SearchGet(ctx.Request.Url!);
                await RespondText(200, page.ToJsonString(), "application/geo+json");
                return;
            }
            if (Documents.TryGetValue(path, out var doc))
            {
                await Respond(200, doc);
                return;
            }
            await RespondText(404, "{\"code\":\"NotFound\",\"description\":\"no " + path + ErrorEcho(ctx) + "\"}");
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client gave up (timeout test); nothing to answer.
        }
        catch (FormatException e)
        {
            try { await RespondText(400, JsonValue.Create(e.Message)!.ToJsonString()); } catch (Exception) { }
        }
        finally
        {
            if (!recorded)
            {
                Interlocked.Decrement(ref _inFlight);
                Requests.Enqueue(new RecordedRequest(ctx.Request.HttpMethod, ctx.Request.Url!.PathAndQuery, ctx.Request.Headers["Authorization"], body, 0));
            }
        }
    }

    private string ErrorEcho(HttpListenerContext ctx) =>
        EchoAuthorizationOnError ? " for Authorization " + ctx.Request.Headers["Authorization"] : "";

    private Fault? TakeFault(string path, string method)
    {
        lock (Faults)
        {
            foreach (var f in Faults)
                if (f.Remaining > 0 && path.StartsWith(f.PathPrefix, StringComparison.Ordinal) && (f.Method is null || f.Method == method))
                {
                    f.Remaining--;
                    return f;
                }
        }
        return null;
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, string text, string type = "application/json") =>
        await WriteAsync(ctx, status, Encoding.UTF8.GetBytes(text), type);

    private static async Task WriteAsync(HttpListenerContext ctx, int status, byte[] bytes, string type)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    private JsonObject SearchPost(string body)
    {
        var o = (JsonObject)StacJson.Parse(body, "POST /search body");
        if (o["token"] is JsonValue t)
        {
            if (!_tokens.TryGetValue(t.GetValue<string>(), out var saved)) throw new FormatException("unknown token");
            return Page(saved.Body, saved.Offset, post: true, getQuery: null);
        }
        var offset = o["page"] is JsonValue p ? (p.GetValue<int>() - 1) * PageSize(o) : 0;
        return Page(o, offset, post: true, getQuery: null);
    }

    private JsonObject SearchGet(Uri url)
    {
        var q = System.Web.HttpUtility.ParseQueryString(url.Query);
        var o = new JsonObject();
        if (q["collections"] is { } c) o["collections"] = new JsonArray(c.Split(',').Select(x => (JsonNode?)x).ToArray());
        if (q["ids"] is { } i) o["ids"] = new JsonArray(i.Split(',').Select(x => (JsonNode?)x).ToArray());
        if (q["bbox"] is { } b) o["bbox"] = new JsonArray(b.Split(',').Select(x => (JsonNode?)double.Parse(x, CultureInfo.InvariantCulture)).ToArray());
        if (q["intersects"] is { } g) o["intersects"] = StacJson.Parse(g, "intersects");
        if (q["datetime"] is { } d) o["datetime"] = d;
        if (q["limit"] is { } l) o["limit"] = int.Parse(l, CultureInfo.InvariantCulture);
        var page = q["page"] is { } pg ? int.Parse(pg, CultureInfo.InvariantCulture) : 1;
        var query = string.Join('&', q.AllKeys.Where(k => k != "page").Select(k => k + "=" + Uri.EscapeDataString(q[k]!)));
        return Page(o, (page - 1) * PageSize(o), post: false, getQuery: query);
    }

    private int PageSize(JsonObject o) => o["limit"] is JsonValue l ? l.GetValue<int>() : DefaultPageSize;

    private JsonObject Page(JsonObject request, int offset, bool post, string? getQuery)
    {
        var search = new StacSearchRequest
        {
            Collections = (request["collections"] as JsonArray)?.Select(x => x!.GetValue<string>()).ToList(),
            Ids = (request["ids"] as JsonArray)?.Select(x => x!.GetValue<string>()).ToList(),
            Bbox = (request["bbox"] as JsonArray)?.Select(x => x!.GetValue<double>()).ToList(),
            Intersects = request["intersects"]?.DeepClone(),
            Datetime = request["datetime"]?.GetValue<string>(),
        };
        var matches = Filter(search);
        var size = PageSize(request);
        var pageItems = matches.Skip(offset).Take(size).ToList();
        var links = new JsonArray();
        var pageNumber = offset / size + 1;
        if (offset + size < matches.Count || (AlwaysLinkNext && !post && pageItems.Count > 0))
        {
            if (!post)
                links.Add(new JsonObject { ["rel"] = "next", ["href"] = $"{BaseUri}search?{getQuery}&page={pageNumber + 1}", ["type"] = "application/geo+json" });
            else if (Paging == PagingMode.PostMerge)
                links.Add(new JsonObject
                {
                    ["rel"] = "next", ["href"] = $"{BaseUri}search", ["method"] = "POST", ["merge"] = true,
                    ["body"] = new JsonObject { ["page"] = pageNumber + 1 },
                });
            else
            {
                var token = "t" + Interlocked.Increment(ref _tokenCounter).ToString(CultureInfo.InvariantCulture);
                var saved = (JsonObject)request.DeepClone();
                saved.Remove("token");
                _tokens[token] = (saved, offset + size);
                links.Add(new JsonObject
                {
                    ["rel"] = "next", ["href"] = "search", ["method"] = "POST",
                    ["body"] = new JsonObject { ["token"] = token },
                });
            }
        }
        links.Add(new JsonObject { ["rel"] = "root", ["href"] = BaseUri.AbsoluteUri });
        var page = new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(pageItems.Select(i => (JsonNode?)i.ToJson()).ToArray()),
            ["links"] = links,
            ["numberReturned"] = pageItems.Count,
            ["context"] = new JsonObject { ["unknown_server_field"] = "clients must ignore this" },
        };
        if (MatchedAs == "numberMatched") page["numberMatched"] = matches.Count;
        else if (MatchedAs == "context") ((JsonObject)page["context"]!)["matched"] = matches.Count;
        return page;
    }

    private List<StacItem> Filter(StacSearchRequest r)
    {
        var interval = r.Datetime is { } dt ? StacSearchRequest.ParseInterval(dt) : ((DateTimeOffset?, DateTimeOffset?)?)null;
        var box = r.Bbox?.ToArray() ?? GeoJsonBounds.Of(r.Intersects);
        return Items.Where(i =>
            (r.Collections is null || r.Collections.Contains(i.Collection ?? "")) &&
            (r.Ids is null || r.Ids.Contains(i.Id)) &&
            (interval is null || (i.Datetime is { } t && (interval.Value.Item1 is null || t >= interval.Value.Item1) && (interval.Value.Item2 is null || t <= interval.Value.Item2))) &&
            (box is null || (i.Bbox is { } ib && GeoJsonBounds.Intersects(ib, box)))).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { await _loop; } catch (Exception) { }
    }
}
