using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CropData.Geo.Tests;

/// <summary>
/// A tiny HTTP/1.1 file server on 127.0.0.1 over a raw socket, so a test can cut a connection mid-body (which
/// HttpListener cannot do on purpose). Serves byte arrays by path, honours "Range: bytes=N-", one request per
/// connection.
/// </summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, byte[]> _files = new();

    /// <summary>Requests seen: path and Range header (null when none).</summary>
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    /// <summary>Cut the next N responses of a path after this many body bytes.</summary>
    public ConcurrentDictionary<string, (int Times, int AfterBytes)> Cuts { get; } = new();

    public bool IgnoreRange { get; set; }

    public LocalHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public void Serve(string path, byte[] bytes) => _files[path] = bytes;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = await ReadHead(stream);
            if (head is null) return;
            var lines = head.Split("\r\n");
            var path = lines[0].Split(' ')[1];
            var range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
            Requests.Enqueue((path, range));
            if (!_files.TryGetValue(path, out var body))
            {
                await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            long from = 0;
            if (range is not null && !IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                from = long.Parse(range[6..^1]);
            string header;
            if (from >= body.Length && from > 0)
            {
                await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{body.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            header = from > 0
                ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{body.Length - 1}/{body.Length}\r\nContent-Length: {body.Length - from}\r\nConnection: close\r\n\r\n"
                : $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n";
            await Write(stream, header);
            var slice = body.AsMemory((int)from);
            if (Cuts.TryGetValue(path, out var cut) && cut.Times > 0)
            {
                Cuts[path] = (cut.Times - 1, cut.AfterBytes);
                await stream.WriteAsync(slice[..Math.Min(cut.AfterBytes, slice.Length)]);
                await stream.FlushAsync();
                client.Client.LingerState = new LingerOption(true, 0);   // RST: an abrupt cut, not a clean close
                return;
            }
            await stream.WriteAsync(slice);
        }
    }

    private static async Task<string?> ReadHead(NetworkStream s)
    {
        var buf = new List<byte>();
        var one = new byte[1];
        while (await s.ReadAsync(one) == 1)
        {
            buf.Add(one[0]);
            if (buf.Count >= 4 && buf[^4] == '\r' && buf[^3] == '\n' && buf[^2] == '\r' && buf[^1] == '\n')
                return Encoding.ASCII.GetString(buf.ToArray());
            if (buf.Count > 16384) return null;
        }
        return null;
    }

    private static Task Write(NetworkStream s, string text) => s.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
