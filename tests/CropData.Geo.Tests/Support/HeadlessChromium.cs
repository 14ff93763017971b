using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CropData.Geo.Tests;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket, JSON messages) with no
/// client library. All host names resolve to nothing except 127.0.0.1, so a page can never reach the internet.
/// </summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _ws = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _profile;
    private Task? _reader;
    private int _nextId;

    public ConcurrentQueue<string> Errors { get; } = new();

    public static string? FindExecutable() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    private HeadlessChromium(Process p, string profile) => (_process, _profile) = (p, profile);

    public static async Task<HeadlessChromium> StartAsync(string profileDir, int width = 1400, int height = 900)
    {
        var exe = FindExecutable() ?? throw new InvalidOperationException(
            "chromium not found: install Debian's package (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless=new", "--remote-debugging-port=0", $"--user-data-dir={profileDir}", "--no-sandbox",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-domain-reliability", "--disable-breakpad",
            "--disable-features=Translate,MediaRouter,OptimizationHints", "--metrics-recording-only", "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--disable-gpu", "--disable-dev-shm-usage", $"--window-size={width},{height}",
            "about:blank",
        }) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var chrome = new HeadlessChromium(p, profileDir);
        var endpoint = new TaskCompletionSource<string>();
        _ = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is { } line)
            {
                var m = DevTools().Match(line);
                if (m.Success) endpoint.TrySetResult(m.Groups[1].Value);
            }
            endpoint.TrySetException(new InvalidOperationException("chromium exited before printing its DevTools endpoint"));
        });
        _ = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is not null) { } });
        var browserWs = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var port = new Uri(browserWs).Port;
        using var http = new HttpClient();
        string? pageWs = null;
        for (var i = 0; i < 50 && pageWs is null; i++)
        {
            var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            pageWs = list.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageWs is null) await Task.Delay(100);
        }
        await chrome._ws.ConnectAsync(new Uri(pageWs ?? throw new InvalidOperationException("no page target")), CancellationToken.None);
        chrome._reader = Task.Run(chrome.ReadLoop);
        await chrome.SendAsync("Runtime.enable");
        await chrome.SendAsync("Page.enable");
        return chrome;
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevTools();

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 20];
        while (!_stop.IsCancellationRequested && _ws.State == WebSocketState.Open)
        {
            using var ms = new MemoryStream();
            WebSocketReceiveResult r;
            try
            {
                do
                {
                    r = await _ws.ReceiveAsync(buffer, _stop.Token);
                    ms.Write(buffer, 0, r.Count);
                } while (!r.EndOfMessage);
            }
            catch (Exception) { break; }
            if (r.MessageType == WebSocketMessageType.Close) break;
            var msg = JsonNode.Parse(ms.ToArray())!.AsObject();
            if (msg["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var tcs)) tcs.TrySetResult(msg);
            else if ((string?)msg["method"] == "Runtime.exceptionThrown")
                Errors.Enqueue(msg["params"]!["exceptionDetails"]!.ToJsonString());
            else if ((string?)msg["method"] == "Runtime.consoleAPICalled" && (string?)msg["params"]!["type"] == "error")
                Errors.Enqueue(msg["params"]!["args"]!.ToJsonString());
        }
        foreach (var t in _pending.Values) t.TrySetException(new InvalidOperationException("DevTools connection closed"));
    }

    public async Task<JsonObject> SendAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var json = JsonSerializer.Serialize(new { id, method, @params = parameters ?? new { } });
        await _ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        var reply = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (reply["error"] is { } err) throw new InvalidOperationException($"{method}: {err.ToJsonString()}");
        return reply["result"]!.AsObject();
    }

    /// <summary>Evaluates a JS expression (awaiting promises) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvalAsync(string expression)
    {
        var r = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (r["exceptionDetails"] is { } ex) throw new InvalidOperationException($"JS error in `{expression}`: {ex.ToJsonString()}");
        return r["result"]!["value"];
    }

    public async Task<T> EvalAsync<T>(string expression) => (await EvalAsync(expression))!.GetValue<T>();

    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (await EvalAsync($"!!({condition})") is { } v && v.GetValue<bool>()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"`{condition}` still false after {timeout.TotalSeconds} s");
    }

    public async Task NavigateAsync(string url) => await SendAsync("Page.navigate", new { url });

    public Task MouseAsync(string type, double x, double y, int buttons = 1, int clickCount = 1) =>
        SendAsync("Input.dispatchMouseEvent", new { type, x, y, button = "left", buttons, clickCount });

    public async Task ClickAsync(double x, double y)
    {
        await MouseAsync("mouseMoved", x, y, 0, 0);
        await MouseAsync("mousePressed", x, y);
        await MouseAsync("mouseReleased", x, y, 0);
    }

    public async Task DragAsync(double x0, double y0, double x1, double y1, int steps = 8)
    {
        await MouseAsync("mouseMoved", x0, y0, 0, 0);
        await MouseAsync("mousePressed", x0, y0);
        for (var i = 1; i <= steps; i++)
            await MouseAsync("mouseMoved", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps);
        await MouseAsync("mouseReleased", x1, y1, 0);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { if (_ws.State == WebSocketState.Open) await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); }
        catch (Exception) { }
        try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); } }
        catch (InvalidOperationException) { }
        if (_reader is not null) await Task.WhenAny(_reader, Task.Delay(2000));
        _ws.Dispose();
        _process.Dispose();
        _stop.Dispose();
    }
}
