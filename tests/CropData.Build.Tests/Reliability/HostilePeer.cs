using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CropData.Ipfs.Multiformats;

namespace CropData.Build.Tests.Reliability;

/// <summary>What a hostile or broken IPFS gateway does with one CID.</summary>
public enum PeerFault
{
    None,
    // path gateway (plain bytes, verified by re-import)
    WrongBytes,        // right length, a marker written over the middle
    ExtraBytes,        // the file, then a marker appended
    ShortBody,         // half the file, no Content-Length, connection closed: a body that "ends" early
    TruncatedBody,     // Content-Length of the whole file, connection closed halfway (every resume too)
    StallMidBody,      // headers and some bytes, then nothing (every resume too)
    NotFound,          // 404
    ServerError,       // 500
    // trustless gateway (CAR, verified block by block)
    CarExtraBlock,     // the DAG plus one block outside it
    CarMissingBlock,   // the DAG without its last leaf
    CarMismatchedBlock,// a leaf whose bytes do not hash to its CID
    CarNotACar,        // Content-Type says CAR, the body is not one
    CarPlainBytes,     // the file's bytes as application/octet-stream (not a trustless gateway)
    CarTruncated,      // the CAR cut in the middle of a section
    CarStall,          // half the CAR, then nothing
}

/// <summary>
/// A local HTTP/1.1 gateway on 127.0.0.1 (raw sockets, so it can cut, stall and lie at byte level) that serves the
/// sample's real band files as a path gateway (<c>GET /ipfs/CID</c>, Range resumes) or as a trustless gateway
/// (<c>?format=car</c>), except for the CIDs given a <see cref="PeerFault"/>.
/// </summary>
public sealed class HostilePeer : IAsyncDisposable
{
    public static readonly byte[] Marker = Encoding.ASCII.GetBytes("<<HOSTILE-PEER-UNVERIFIED-BYTES>>");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SampleCar _car;
    private readonly IReadOnlyDictionary<string, PeerFault> _faults;
    private readonly bool _trustless;
    private readonly Task _accept;

    public HostilePeer(SampleCar car, IReadOnlyDictionary<string, PeerFault> faults, bool trustless)
    {
        _car = car;
        _faults = faults;
        _trustless = trustless;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Every GET: CID, the fault applied, the Range asked for (or null).</summary>
    public ConcurrentQueue<(string Cid, PeerFault Fault, string? Range)> Requests { get; } = new();

    /// <summary>Called when a stalled response has sent its first bytes and stops.</summary>
    public Action<string>? Stalled { get; set; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            if (head is null) return;
            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            string method = parts[0], target = parts[1];
            string? range = lines.Skip(1).Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2 && kv[0].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase))
                .Select(kv => kv[1].Trim()).FirstOrDefault();
            var path = target.Split('?')[0];
            var cid = path.StartsWith("/ipfs/", StringComparison.Ordinal) ? path["/ipfs/".Length..].TrimEnd('/') : "";
            var band = _car.Bands.FirstOrDefault(b => b.Cid == cid);
            var fault = _faults.GetValueOrDefault(cid, PeerFault.None);
            if (method == "HEAD")
            {
                await WriteHeadAsync(stream, band is null || fault is PeerFault.NotFound ? 404 : 200, "application/octet-stream", 0);
                return;
            }
            Requests.Enqueue((cid, fault, range));
            if (band is null || fault == PeerFault.NotFound) { await SimpleAsync(stream, 404, "no link named that under this root"); return; }
            if (fault == PeerFault.ServerError) { await SimpleAsync(stream, 500, "internal error: blockstore: context deadline exceeded"); return; }
            if (_trustless) await ServeCarAsync(stream, band, fault);
            else await ServeBytesAsync(stream, band, fault, range);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client hung up (it timed out a stall, or gave up on a broken answer): nothing to do.
        }
    }

    private async Task ServeBytesAsync(NetworkStream s, SampleBand band, PeerFault fault, string? range)
    {
        var bytes = band.Bytes;
        long from = 0;
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && long.TryParse(range[6..].TrimEnd('-'), out var r)) from = r;
        switch (fault)
        {
            case PeerFault.WrongBytes:
            {
                var bad = (byte[])bytes.Clone();
                Marker.CopyTo(bad, bad.Length / 2);
                await FullAsync(s, 200, "application/octet-stream", bad);
                return;
            }
            case PeerFault.ExtraBytes:
                await FullAsync(s, 200, "application/octet-stream", [.. bytes, .. Marker]);
                return;
            case PeerFault.ShortBody:
                await WriteRawAsync(s, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
                await s.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                return;
            case PeerFault.TruncatedBody or PeerFault.StallMidBody:
            {
                var remaining = bytes.Length - from;
                var header = from > 0
                    ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{bytes.Length - 1}/{bytes.Length}\r\n"
                    : "HTTP/1.1 200 OK\r\n";
                await WriteRawAsync(s, header + $"Content-Type: application/octet-stream\r\nContent-Length: {remaining}\r\nConnection: close\r\n\r\n");
                await s.WriteAsync(bytes.AsMemory((int)from, (int)(remaining / 2)));
                await s.FlushAsync();
                if (fault == PeerFault.StallMidBody) await StallAsync(band.Cid);
                return;
            }
            default:
                if (from > 0)
                {
                    await WriteRawAsync(s, $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{bytes.Length - 1}/{bytes.Length}\r\n" +
                                           $"Content-Type: application/octet-stream\r\nContent-Length: {bytes.Length - from}\r\nConnection: close\r\n\r\n");
                    await s.WriteAsync(bytes.AsMemory((int)from));
                }
                else await FullAsync(s, 200, "application/octet-stream", bytes);
                return;
        }
    }

    private async Task ServeCarAsync(NetworkStream s, SampleBand band, PeerFault fault)
    {
        const string car = "application/vnd.ipld.car; version=1; order=dfs; dups=y";
        var root = Cid.Parse(band.Cid);
        var blocks = _car.DagBlocks(root);
        switch (fault)
        {
            case PeerFault.CarExtraBlock:
            {
                var stray = Encoding.ASCII.GetBytes("a block that no link of this DAG names ").Concat(Marker).ToArray();
                blocks.Add((Cid.Compute(stray, Multicodec.Raw), stray));
                break;
            }
            case PeerFault.CarMissingBlock:
                blocks.RemoveAt(blocks.Count - 1);
                break;
            case PeerFault.CarMismatchedBlock:
            {
                var (cid, data) = blocks[^1];
                var bad = (byte[])data.Clone();
                Marker.CopyTo(bad, 0);
                blocks[^1] = (cid, bad);
                break;
            }
            case PeerFault.CarNotACar:
                await FullAsync(s, 200, car, [.. Marker, .. Marker]);
                return;
            case PeerFault.CarPlainBytes:
                await FullAsync(s, 200, "application/octet-stream", band.Bytes);
                return;
        }
        var body = SampleCar.Car(root, blocks);
        if (fault is PeerFault.CarTruncated or PeerFault.CarStall)
        {
            await WriteRawAsync(s, $"HTTP/1.1 200 OK\r\nContent-Type: {car}\r\nConnection: close\r\n\r\n");
            await s.WriteAsync(body.AsMemory(0, body.Length / 2 + 7));
            await s.FlushAsync();
            if (fault == PeerFault.CarStall) await StallAsync(band.Cid);
            return;
        }
        await FullAsync(s, 200, car, body);
    }

    private async Task StallAsync(string cid)
    {
        Stalled?.Invoke(cid);
        try { await Task.Delay(TimeSpan.FromSeconds(60), _stop.Token); }
        catch (OperationCanceledException) { }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream s)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            if (await s.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
            int n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, n - 4);
        }
        return null;
    }

    private static Task WriteRawAsync(NetworkStream s, string text) => s.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    private static Task WriteHeadAsync(NetworkStream s, int status, string type, long length) =>
        WriteRawAsync(s, $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n");

    private static async Task FullAsync(NetworkStream s, int status, string type, byte[] body)
    {
        await WriteHeadAsync(s, status, type, body.Length);
        await s.WriteAsync(body);
        await s.FlushAsync();
    }

    private static Task SimpleAsync(NetworkStream s, int status, string text) => FullAsync(s, status, "text/plain", Encoding.ASCII.GetBytes(text));

    private static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 404 => "Not Found", 500 => "Internal Server Error", _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (Exception) { }
        _stop.Dispose();
    }
}
