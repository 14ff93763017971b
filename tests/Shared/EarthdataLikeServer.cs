using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CropData.Tests.Shared;

/// <summary>A request as one of the servers saw it: which server, the path and query, and its Authorization header.</summary>
public sealed record SeenRequest(string Server, string PathAndQuery, string? Authorization);

/// <summary>
/// Three HTTP servers on 127.0.0.1 (real sockets, one port each) that speak LP DAAC's download protocol as earthaccess
/// meets it (docs/PIPELINE.md stage 7):
/// <list type="number">
/// <item><c>Data</c> (the href's host): a file request without a session cookie → 302 to the auth server's
/// /oauth/authorize; /login?code=… sets the session cookie and → 302 back to the file; with the cookie → 307 to a
/// signed URL on <c>S3</c>.</item>
/// <item><c>Auth</c> (urs.earthdata.nasa.gov's part): /oauth/authorize answers 401 unless it carries
/// <c>Authorization: Bearer TOKEN</c>, else → 302 to the data server's /login.</item>
/// <item><c>S3</c>: serves the file for a signed URL, and answers 400 to a request that carries an Authorization header
/// too (as S3 does: "only one auth mechanism allowed").</item>
/// </list>
/// Every request is recorded with its Authorization header, so a test sees who got the token.
/// </summary>
public sealed class EarthdataLikeServer : IDisposable
{
    private readonly string _token;
    private readonly string _folder;
    private readonly List<HttpListener> _listeners = [];
    private readonly List<Task> _loops = [];

    public EarthdataLikeServer(string folder, string token)
    {
        _folder = folder;
        _token = token;
        Data = Start(ServeData);
        Auth = Start(ServeAuth);
        S3 = Start(ServeS3);
    }

    public Uri Data { get; }
    public Uri Auth { get; }
    public Uri S3 { get; }
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>The href of a file of the folder, as a granule's UMM-G would list it.</summary>
    public string Href(string file) => new Uri(Data, "lp-prod-protected/HLSS30.020/" + Uri.EscapeDataString(file)).AbsoluteUri;

    /// <summary>The "host:port" to configure as an authentication host (download.auth_hosts).</summary>
    public string AuthHost => $"{Auth.Host}:{Auth.Port}";

    /// <summary>Requests whose file does not exist answer 404; set this to make every S3 answer a 503 instead.</summary>
    public bool S3Unavailable { get; set; }

    private Uri Start(Func<HttpListenerContext, Task> serve)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _listeners.Add(listener);
        _loops.Add(Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                _ = Task.Run(async () =>
                {
                    try { await serve(ctx); }
                    catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { }
                    finally { try { ctx.Response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { } }
                });
            }
        }));
        return new Uri($"http://127.0.0.1:{port}/");
    }

    private void Record(string server, HttpListenerContext ctx) =>
        Requests.Enqueue(new SeenRequest(server, ctx.Request.Url!.PathAndQuery, ctx.Request.Headers["Authorization"]));

    private static void Redirect(HttpListenerContext ctx, int status, string location)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.RedirectLocation = location;
    }

    private Task ServeData(HttpListenerContext ctx)
    {
        Record("data", ctx);
        var path = ctx.Request.Url!.AbsolutePath;
        if (path == "/login")
        {
            if (ctx.Request.QueryString["code"] != "granted") { ctx.Response.StatusCode = 403; return Task.CompletedTask; }
            ctx.Response.AppendCookie(new Cookie("session", "ok", "/"));
            Redirect(ctx, 302, ctx.Request.QueryString["state"]!);
        }
        else if (ctx.Request.Cookies["session"]?.Value != "ok")
            Redirect(ctx, 302, new Uri(Auth, "oauth/authorize?client_id=lpdaac&state=" + Uri.EscapeDataString(path)).AbsoluteUri);
        else
            Redirect(ctx, 307, new Uri(S3, "lp-prod-protected/" + Path.GetFileName(path) + "?X-Amz-Signature=abc123").AbsoluteUri);
        return Task.CompletedTask;
    }

    private Task ServeAuth(HttpListenerContext ctx)
    {
        Record("auth", ctx);
        if (ctx.Request.Headers["Authorization"] != "Bearer " + _token) { ctx.Response.StatusCode = 401; return Task.CompletedTask; }
        Redirect(ctx, 302, new Uri(Data, "login?code=granted&state=" + Uri.EscapeDataString(ctx.Request.QueryString["state"] ?? "/")).AbsoluteUri);
        return Task.CompletedTask;
    }

    private async Task ServeS3(HttpListenerContext ctx)
    {
        Record("s3", ctx);
        var file = Path.Combine(_folder, Path.GetFileName(Uri.UnescapeDataString(ctx.Request.Url!.AbsolutePath)));
        if (ctx.Request.Headers["Authorization"] is not null) { ctx.Response.StatusCode = 400; return; }
        if (S3Unavailable) { ctx.Response.StatusCode = 503; return; }
        if (ctx.Request.QueryString["X-Amz-Signature"] != "abc123" || !File.Exists(file)) { ctx.Response.StatusCode = 404; return; }
        var bytes = await File.ReadAllBytesAsync(file);
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
    }

    public void Dispose()
    {
        foreach (var l in _listeners) l.Close();
    }
}
