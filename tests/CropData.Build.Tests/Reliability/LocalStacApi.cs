using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace CropData.Build.Tests.Reliability;

/// <summary>
/// A STAC API on 127.0.0.1 serving the sample's CMR items (POST /cmr/search, their UMM-G at /cmr/umm/ID.umm_json) and
/// Easier items (POST /easier/search with ids). It records the Authorization header of every request and, to test
/// that credentials never leak, echoes that header back in error bodies: the first search of each API answers 5xx
/// (retried by the client), and the UMM-G of <c>forbiddenScene</c> answers 403.
/// </summary>
public sealed class LocalStacApi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, JsonObject> _cmr = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _umm = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _easier = new(StringComparer.Ordinal);
    private readonly string _forbiddenScene;
    private readonly Task _loop;
    private int _cmrSearches, _easierSearches;

    public LocalStacApi(string inputs, string forbiddenScene)
    {
        _forbiddenScene = forbiddenScene;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(inputs, "stac", "cmr"), "HLS.*.json", SearchOption.AllDirectories))
        {
            var item = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var id = (string)item["id"]!;
            _cmr[id] = item;
            _umm[id] = File.ReadAllText(Path.ChangeExtension(file, ".umm_json"));
        }
        foreach (var file in Directory.EnumerateFiles(Path.Combine(inputs, "stac", "easier"), "HLS.*.json", SearchOption.AllDirectories))
        {
            var item = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            _easier[(string)item["id"]!] = item;
        }
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The Authorization header of every request (null when none was sent).</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Serve(ctx));
        }
    }

    private void Serve(HttpListenerContext ctx)
    {
        try
        {
            var auth = ctx.Request.Headers["Authorization"];
            Authorizations.Enqueue(auth);
            var path = ctx.Request.Url!.AbsolutePath;
            string body = new StreamReader(ctx.Request.InputStream, Encoding.UTF8).ReadToEnd();
            if (path == "/cmr/search")
            {
                if (Interlocked.Increment(ref _cmrSearches) == 1) { Reply(ctx, 500, $"internal error while serving a request with Authorization: {auth}"); return; }
                var features = new JsonArray(_cmr.Values.Select(Rewrite).ToArray<JsonNode?>());
                Reply(ctx, 200, new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString(), "application/geo+json");
            }
            else if (path.StartsWith("/cmr/umm/", StringComparison.Ordinal))
            {
                var id = Uri.UnescapeDataString(path["/cmr/umm/".Length..]).Replace(".umm_json", "", StringComparison.Ordinal);
                if (id == _forbiddenScene) Reply(ctx, 403, $"access denied for {auth}");
                else if (_umm.TryGetValue(id, out var umm)) Reply(ctx, 200, umm, "application/json");
                else Reply(ctx, 404, "no such granule");
            }
            else if (path == "/easier/search")
            {
                if (Interlocked.Increment(ref _easierSearches) == 1) { Reply(ctx, 503, $"overloaded; retry (your credentials: {auth})"); return; }
                var ids = (JsonNode.Parse(body)?["ids"] as JsonArray)?.Select(i => (string)i!).ToHashSet() ?? [];
                var features = new JsonArray(_easier.Where(e => ids.Contains(e.Key)).Select(e => e.Value.DeepClone()).ToArray<JsonNode?>());
                Reply(ctx, 200, new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString(), "application/geo+json");
            }
            else Reply(ctx, 404, "not found");
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { }
    }

    /// <summary>The item with its UMM-G link made absolute on this server (CMR STAC's rel=via).</summary>
    private JsonNode Rewrite(JsonObject item)
    {
        var copy = item.DeepClone().AsObject();
        var id = (string)copy["id"]!;
        copy["links"] = new JsonArray(new JsonObject { ["rel"] = "via", ["href"] = $"{Url}/cmr/umm/{id}.umm_json", ["title"] = "UMM-G metadata" });
        return copy;
    }

    private static void Reply(HttpListenerContext ctx, int status, string text, string type = "text/plain")
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        ctx.Response.ContentLength64 = bytes.Length;
        ctx.Response.OutputStream.Write(bytes);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
