// Benchmark of verified IPFS retrieval against a local node (js-ipfs from tools/ipfs-test-node, or Kubo).
//   dotnet run -c Release --project src/CropData.Ipfs.Bench -- [--api URL] [--gateway URL] [--mb 200] [--runs 3]
// API/gateway default to CROPDATA_IPFS_API / CROPDATA_IPFS_GATEWAY. Measures, for one file of --mb MB:
//   raw download (HttpClient POST /api/v0/cat to disk, no verification) vs verified downloads
//   (dag/export CAR verified per block; cat verified by re-import; path gateway verified by re-import; local CAR),
//   and the peak resident memory of a child process that only verifies the file (goal < 100 MB).
using System.Diagnostics;
using System.Globalization;
using CropData.Fetch.Bench;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var opts = ParseArgs(args);
var api = new Uri(opts.GetValueOrDefault("api") ?? Environment.GetEnvironmentVariable("CROPDATA_IPFS_API") ?? "http://127.0.0.1:5011");
var gateway = new Uri(opts.GetValueOrDefault("gateway") ?? Environment.GetEnvironmentVariable("CROPDATA_IPFS_GATEWAY") ?? "http://127.0.0.1:8091");

if (opts.TryGetValue("child", out var childMode))
{
    // Child mode: one verified fetch, then report this process's peak resident set (VmHWM).
    var childCid = Cid.Parse(opts["cid"]);
    IIpfsSource source = childMode switch
    {
        "kubo" => new KuboRpcSource(api),
        "kubo-cat" => new KuboRpcSource(api, KuboRpcMode.Cat),
        "car" => new LocalCarSource(opts["car"]),
        _ => throw new ArgumentException(childMode),
    };
    var sw = Stopwatch.StartNew();
    var r = await new IpfsFetcher([source]).FetchAsync(childCid, opts["out"]);
    Console.WriteLine($"{r.Bytes} {sw.Elapsed.TotalSeconds:0.000} {PeakRssMb():0.0} {GC.GetTotalAllocatedBytes() / 1e6:0.0}");
    return 0;
}

var mb = int.Parse(opts.GetValueOrDefault("mb") ?? "200", CultureInfo.InvariantCulture);
var runs = int.Parse(opts.GetValueOrDefault("runs") ?? "3", CultureInfo.InvariantCulture);
var dir = Path.Combine(Path.GetTempPath(), "cropdata-ipfs-bench");
Directory.CreateDirectory(dir);
var file = Path.Combine(dir, $"payload-{mb}mb.bin");
if (!File.Exists(file) || new FileInfo(file).Length != mb * 1_000_000L) WritePayload(file, mb * 1_000_000L);
var size = new FileInfo(file).Length;
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };

Console.WriteLine($"file: {size:N0} bytes, node {api}, gateway {gateway}, {runs} runs each, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
var sw0 = Stopwatch.StartNew();
var mine = CidCalculator.ComputeFile(file).Root;
Console.WriteLine($"CidCalculator.ComputeFile: {mine}  {sw0.Elapsed.TotalSeconds:0.00} s = {size / 1e6 / sw0.Elapsed.TotalSeconds:0} MB/s");
sw0.Restart();
var nodeCid = await TestNode.AddAsync(http, api, file);
Console.WriteLine($"node add: {nodeCid}  {sw0.Elapsed.TotalSeconds:0.00} s; equal: {nodeCid == mine.ToString()}");
var cid = Cid.Parse(nodeCid);

var carPath = Path.Combine(dir, "payload.car");
using (var resp = await http.PostAsync(new Uri(api, $"/api/v0/dag/export?arg={cid}"), null))
await using (var fs = File.Create(carPath)) await resp.Content.CopyToAsync(fs);

var outPath = Path.Combine(dir, "out.bin");
async Task RawAsync(HttpMethod method, Uri uri)
{
    using var req = new HttpRequestMessage(method, uri);
    using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
    resp.EnsureSuccessStatusCode();
    await using var fs = new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    await resp.Content.CopyToAsync(fs);
}
async Task CurlAsync(string extra, Uri uri)
{
    using var p = Process.Start("curl", ["-sS", "-f", "-o", outPath, .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries), uri.ToString()])!;
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new InvalidOperationException("curl failed");
}
async Task VerifiedAsync(IIpfsSource source)
{
    var r = await new IpfsFetcher([source]).FetchAsync(cid, outPath);
    if (r.Bytes != size) throw new InvalidOperationException("size mismatch");
}
var catUri = new Uri(api, $"/api/v0/cat?arg={cid}");
var exportUri = new Uri(api, $"/api/v0/dag/export?arg={cid}");
var gwUri = new Uri(gateway, $"/ipfs/{cid}");
var methods = new (string Name, Func<Task> Run)[]
{
    ("raw cat: HttpClient POST /api/v0/cat, no verification", () => RawAsync(HttpMethod.Post, catUri)),
    ("raw cat: curl -X POST /api/v0/cat, no verification", () => CurlAsync("-X POST", catUri)),
    ("raw dag/export: HttpClient, no verification", () => RawAsync(HttpMethod.Post, exportUri)),
    ("raw gateway: HttpClient GET /ipfs/CID, no verification", () => RawAsync(HttpMethod.Get, gwUri)),
    ("verified kubo dag/export (CAR, per block)", () => VerifiedAsync(new KuboRpcSource(api))),
    ("verified kubo cat (re-import)", () => VerifiedAsync(new KuboRpcSource(api, KuboRpcMode.Cat))),
    ("verified path gateway (re-import)", () => VerifiedAsync(new PathGatewaySource(gateway))),
    ("verified local CAR file (index + per block)", () => VerifiedAsync(new LocalCarSource(carPath))),
};
var results = methods.ToDictionary(m => m.Name, _ => new List<double>());
for (var run = 0; run < runs; run++)
{
    // Rotate the order each run: js-ipfs serves the first requests after a pause markedly slower.
    for (var k = 0; k < methods.Length; k++)
    {
        var (name, action) = methods[(k + run) % methods.Length];
        results[name].Add(await TimeAsync(action));
    }
}
Console.WriteLine();
Console.WriteLine($"{"method",-60} {"best s",7} {"median s",9} {"MB/s (median)",14}");
foreach (var (name, times) in results)
{
    times.Sort();
    Console.WriteLine($"{name,-60} {times[0],7:0.000} {times[times.Count / 2],9:0.000} {size / 1e6 / times[times.Count / 2],14:0}");
}
double Median(string prefix) { var l = results.First(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Value; return l[l.Count / 2]; }
Console.WriteLine();
Console.WriteLine($"verified dag/export vs raw cat (HttpClient): {Median("raw cat: HttpClient") / Median("verified kubo dag/export") * 100:0} % of raw throughput (medians)");
Console.WriteLine($"verified dag/export vs raw cat (curl):       {Median("raw cat: curl") / Median("verified kubo dag/export") * 100:0} %");
Console.WriteLine($"verified dag/export vs raw dag/export:       {Median("raw dag/export") / Median("verified kubo dag/export") * 100:0} %");
Console.WriteLine($"verified cat (re-import) vs raw cat:         {Median("raw cat: HttpClient") / Median("verified kubo cat") * 100:0} %");
Console.WriteLine($"verified gateway vs raw gateway:             {Median("raw gateway") / Median("verified path gateway") * 100:0} %");
Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
// The node is the bottleneck above (js-ipfs serves 50-150 MB/s and shares the 2 cores). To see what verification
// itself costs, the same bytes are served again from memory by a loopback server (real sockets, GB/s).
Console.WriteLine();
var carBytes = await File.ReadAllBytesAsync(carPath);
var fileBytes = await File.ReadAllBytesAsync(file);
using (var fast = new FastServer(carBytes, fileBytes))
{
    var fastMethods = new (string Name, Func<Task> Run)[]
    {
        ("fast server raw GET (HttpClient, no verification)", () => RawAsync(HttpMethod.Get, new Uri(fast.Base, $"bytes/ipfs/{cid}"))),
        ("fast server raw GET of the CAR (no verification)", () => RawAsync(HttpMethod.Get, new Uri(fast.Base, $"car/ipfs/{cid}?format=car"))),
        ("fast server verified trustless CAR (per block)", () => VerifiedAsync(new TrustlessGatewaySource(new Uri(fast.Base, "car/")))),
        ("fast server verified path gateway (re-import)", () => VerifiedAsync(new PathGatewaySource(new Uri(fast.Base, "bytes/")))),
    };
    var fastResults = fastMethods.ToDictionary(m => m.Name, _ => new List<double>());
    for (var run = 0; run < runs; run++)
        for (var k = 0; k < fastMethods.Length; k++)
        {
            var (name, action) = fastMethods[(k + run) % fastMethods.Length];
            fastResults[name].Add(await TimeAsync(action));
        }
    foreach (var (name, times) in fastResults)
    {
        times.Sort();
        Console.WriteLine($"{name,-60} {times[0],7:0.000} {times[times.Count / 2],9:0.000} {size / 1e6 / times[times.Count / 2],14:0}");
    }
    double FastMedian(string prefix) { var l = fastResults.First(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Value; return l[l.Count / 2]; }
    Console.WriteLine($"verified trustless CAR vs raw GET of the file: {FastMedian("fast server raw GET (") / FastMedian("fast server verified trustless") * 100:0} %");
    Console.WriteLine($"verified trustless CAR vs raw GET of the CAR:  {FastMedian("fast server raw GET of the CAR") / FastMedian("fast server verified trustless") * 100:0} %");
    Console.WriteLine($"verified path gateway vs raw GET of the file:  {FastMedian("fast server raw GET (") / FastMedian("fast server verified path") * 100:0} %");
}

Console.WriteLine();
Console.WriteLine("peak memory of a child process that only verifies the file (VmHWM; allocated = total managed allocations):");
foreach (var mode in new[] { "kubo", "kubo-cat", "car" })
{
    var self = Environment.ProcessPath!;
    var psi = new ProcessStartInfo(self);
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(Program).Assembly.Location);
    foreach (var a in new[] { "--child", mode, "--cid", cid.ToString(), "--out", outPath, "--car", carPath, "--api", api.ToString() }) psi.ArgumentList.Add(a);
    psi.RedirectStandardOutput = true;
    using var p = Process.Start(psi)!;
    var line = (await p.StandardOutput.ReadToEndAsync()).Trim();
    await p.WaitForExitAsync();
    var f = line.Split(' ');
    Console.WriteLine($"  {mode,-9} {long.Parse(f[0], CultureInfo.InvariantCulture):N0} bytes in {f[1]} s, peak RSS {f[2]} MB, allocated {f[3]} MB");
}
File.Delete(outPath);
return 0;

static async Task<double> TimeAsync(Func<Task> action)
{
    var sw = Stopwatch.StartNew();
    await action();
    return sw.Elapsed.TotalSeconds;
}

static double PeakRssMb()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
}

static void WritePayload(string path, long length)
{
    var rng = new Random(20220301);
    var buffer = new byte[1 << 20];
    using var fs = File.Create(path);
    for (long done = 0; done < length; done += buffer.Length)
    {
        rng.NextBytes(buffer);
        fs.Write(buffer, 0, (int)Math.Min(buffer.Length, length - done));
    }
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var d = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2) d[args[i].TrimStart('-')] = args[i + 1];
    return d;
}

internal partial class Program;

/// <summary>Serves /car/… (the CAR, as a trustless gateway) and /bytes/… (the file) from memory on 127.0.0.1.</summary>
internal sealed class FastServer : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly byte[] _car;
    private readonly byte[] _bytes;

    public FastServer(byte[] car, byte[] bytes)
    {
        _car = car;
        _bytes = bytes;
        _listener.Start();
        Base = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = Task.Run(AcceptLoop);
    }

    public Uri Base { get; }

    private async Task AcceptLoop()
    {
        while (true)
        {
            System.Net.Sockets.TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using var c = client;
                var s = c.GetStream();
                var head = new List<byte>();
                var one = new byte[1];
                while (await s.ReadAsync(one) == 1)
                {
                    head.Add(one[0]);
                    if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r') break;
                }
                var path = System.Text.Encoding.ASCII.GetString([.. head]).Split(' ')[1];
                var isCar = path.StartsWith("/car/", StringComparison.Ordinal);
                var body = isCar ? _car : _bytes;
                var type = isCar ? "application/vnd.ipld.car; version=1" : "application/octet-stream";
                var header = $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                try
                {
                    await s.WriteAsync(System.Text.Encoding.ASCII.GetBytes(header));
                    await s.WriteAsync(body);
                }
                catch (IOException) { }
            });
        }
    }

    public void Dispose() => _listener.Stop();
}
