using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace CropData.Ipfs.Tests.Support;

/// <summary>
/// A real js-ipfs 0.66.1 node (Kubo RPC API + path gateway) for the whole test run. Uses the node named by
/// CROPDATA_IPFS_API / CROPDATA_IPFS_GATEWAY when set (.ci/run starts one); otherwise starts
/// tools/ipfs-test-node/start.sh on free loopback ports (npm install into CROPDATA_IPFS_NODE_DIR, default
/// /tmp/cropdata-ipfs-node, the first time: 90-190 s). A node that cannot be had fails the tests; nothing is skipped.
/// </summary>
public sealed class IpfsNodeFixture : IAsyncLifetime
{
    private string? _runDir;
    private int? _pid;

    public Uri Api { get; private set; } = null!;
    public Uri Gateway { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(5) };
    public string WorkDir { get; } = TestFiles.NewTempDir("node-tests");

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<TestFile>>> _files = new();

    /// <summary>The test payloads, generated once and added to the node once; CIDs as the node printed them.</summary>
    public static readonly IReadOnlyDictionary<string, (long Length, int Period)> Payloads = new Dictionary<string, (long, int)>
    {
        ["empty"] = (0, int.MaxValue),
        ["one-byte"] = (1, int.MaxValue),
        ["one-chunk"] = (262_144, int.MaxValue),
        ["one-chunk-plus-1"] = (262_145, int.MaxValue),
        ["several-mib"] = (5 * 1024 * 1024 + 123, int.MaxValue),
        // 191 chunks (> 174: a two-level DAG); chunks 150..190 repeat chunks 0..40, as nodata runs do in band files.
        ["fifty-mb"] = (50_000_000, 150),
    };

    public Task<TestFile> FileAsync(string name) => _files.GetOrAdd(name, n => new Lazy<Task<TestFile>>(async () =>
    {
        var (length, period) = Payloads[n];
        var path = TestFiles.Write(WorkDir, n, length, (ulong)n.Length * 31 + (ulong)length, period);
        var cid = await AddAsync(path);
        return new TestFile(n, path, length, cid, TestFiles.Sha256(path));
    })).Value;

    public async Task InitializeAsync()
    {
        var api = Environment.GetEnvironmentVariable("CROPDATA_IPFS_API");
        var gw = Environment.GetEnvironmentVariable("CROPDATA_IPFS_GATEWAY");
        if (!string.IsNullOrWhiteSpace(api))
        {
            if (string.IsNullOrWhiteSpace(gw)) throw new InvalidOperationException("CROPDATA_IPFS_API is set but CROPDATA_IPFS_GATEWAY is not: set both to use a running node");
            Api = new Uri(api);
            Gateway = new Uri(gw);
        }
        else
        {
            await StartNodeAsync();
        }
        // Fail early and clearly if the node does not answer.
        var version = await PostJsonAsync("version");
        if (!version.TryGetProperty("Version", out _)) throw new InvalidOperationException($"IPFS node at {Api} did not answer /api/v0/version");
    }

    private async Task StartNodeAsync()
    {
        var script = Path.Combine(TestFiles.RepoRoot(), "tools", "ipfs-test-node", "start.sh");
        _runDir = TestFiles.NewTempDir("node");
        var ports = FreePorts(4);
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["IPFS_TEST_DIR"] = _runDir;
        psi.Environment["IPFS_API_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["IPFS_GW_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["IPFS_SWARM_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["IPFS_GRPC_PORT"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not run bash");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await p.WaitForExitAsync(cts.Token);
        var output = await stdout;
        if (p.ExitCode != 0)
            throw new InvalidOperationException(
                $"the js-ipfs test node could not be started ({script} exited {p.ExitCode}); it needs node, npm and the npm registry " +
                $"for its first install. stderr:\n{await stderr}");
        var vars = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        Api = new Uri(vars["CROPDATA_IPFS_API"]);
        Gateway = new Uri(vars["CROPDATA_IPFS_GATEWAY"]);
        _pid = int.Parse(vars["CROPDATA_IPFS_PID"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary><c>ipfs add --cid-version=1</c> (raw leaves) through the RPC API; the CID as the node prints it in base32.</summary>
    public async Task<string> AddAsync(string path, string query = "cid-version=1&raw-leaves=true&cid-base=base32")
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path), 1 << 20);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", Path.GetFileName(path));
        using var resp = await Http.PostAsync(new Uri(Api, $"/api/v0/add?{query}"), form);
        var text = await resp.Content.ReadAsStringAsync();
        if (!resp.IsSuccessStatusCode) throw new InvalidOperationException($"add {path} failed: {(int)resp.StatusCode} {text}");
        // The add response is one JSON object per line; the file's line is the last one.
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var doc = JsonDocument.Parse(last);
        return doc.RootElement.GetProperty("Hash").GetString()!;
    }

    /// <summary>The CAR the node exports for a CID (real bytes, for the local trustless gateway and CAR-dir tests).</summary>
    public async Task<byte[]> DagExportAsync(string cid)
    {
        using var resp = await Http.PostAsync(new Uri(Api, $"/api/v0/dag/export?arg={cid}"), null);
        resp.EnsureSuccessStatusCode();
        return await resp.Content.ReadAsByteArrayAsync();
    }

    public async Task<JsonElement> PostJsonAsync(string command, HttpContent? content = null)
    {
        using var resp = await Http.PostAsync(new Uri(Api, "/api/v0/" + command), content);
        var text = await resp.Content.ReadAsStringAsync();
        if (!resp.IsSuccessStatusCode) throw new InvalidOperationException($"{command} failed: {(int)resp.StatusCode} {text}");
        return JsonDocument.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_pid is { } pid)
        {
            try
            {
                using var kill = Process.Start("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                using var daemon = Process.GetProcessById(pid);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await daemon.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { daemon.Kill(); }
            }
            catch (ArgumentException) { }   // already gone
        }
        TryDelete(_runDir);
        TryDelete(WorkDir);
    }

    private static void TryDelete(string? dir)
    {
        try { if (dir is not null && Directory.Exists(dir)) Directory.Delete(dir, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

public sealed record TestFile(string Name, string Path, long Length, string NodeCid, string Sha256);

[CollectionDefinition(Name)]
public sealed class IpfsNodeCollection : ICollectionFixture<IpfsNodeFixture>
{
    public const string Name = "ipfs-node";
}
