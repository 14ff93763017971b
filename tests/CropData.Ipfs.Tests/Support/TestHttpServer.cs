using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CropData.Ipfs.Tests.Support;

/// <summary>A request as the test server saw it.</summary>
public sealed record TestRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string Path => Target.Split('?')[0];
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 over a real TcpListener socket, one request per connection. Handlers write
/// the raw response themselves, so they can also send altered, truncated or stalled bodies.
/// </summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<TestRequest, Stream, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentBag<Task> _connections = [];
    private int _active;

    public TestHttpServer(Func<TestRequest, Stream, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoop();
    }

    public Uri BaseUri { get; }
    public ConcurrentQueue<TestRequest> Requests { get; } = new();

    /// <summary>The most requests that were being handled at the same moment.</summary>
    public int MaxConcurrent { get; private set; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            _connections.Add(Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            var request = await ReadRequest(stream);
            if (request is null) return;
            Requests.Enqueue(request);
            var now = Interlocked.Increment(ref _active);
            lock (_stop) MaxConcurrent = Math.Max(MaxConcurrent, now);
            try { await _handler(request, stream, _stop.Token); }
            finally { Interlocked.Decrement(ref _active); }
            await stream.FlushAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client gave up (e.g. after a stall timeout) or the server is stopping.
        }
    }

    private static async Task<TestRequest?> ReadRequest(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r') break;
        }
        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var i = line.IndexOf(':');
            if (i > 0) headers[line[..i].Trim().ToLowerInvariant()] = line[(i + 1)..].Trim();
        }
        // Bodies are not expected (GET/HEAD, or POST without content from the Kubo client); drain a declared one.
        if (headers.TryGetValue("content-length", out var cl) && int.TryParse(cl, out var n) && n > 0)
        {
            var body = new byte[n];
            await stream.ReadExactlyAsync(body);
        }
        return new TestRequest(first[0], first[1], headers);
    }

    /// <summary>Writes status line and headers; the handler then writes (part of) the body.</summary>
    public static async Task WriteHead(Stream s, int status, string reason, long? contentLength, params (string Name, string Value)[] headers)
    {
        var sb = new StringBuilder();
        sb.Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        foreach (var (n, v) in headers) sb.Append(n).Append(": ").Append(v).Append("\r\n");
        if (contentLength is { } len) sb.Append("Content-Length: ").Append(len).Append("\r\n");
        sb.Append("Connection: close\r\n\r\n");
        await s.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    public static async Task WriteFull(Stream s, int status, string reason, byte[] body, params (string Name, string Value)[] headers)
    {
        await WriteHead(s, status, reason, body.Length, headers);
        await s.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        foreach (var c in _connections)
        {
            try { await c.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        }
        _stop.Dispose();
    }
}
