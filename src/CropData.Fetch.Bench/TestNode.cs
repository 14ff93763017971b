using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace CropData.Fetch.Bench;

/// <summary>The real js-ipfs node of tools/ipfs-test-node (started on free loopback ports unless --api names one), and `ipfs add`.</summary>
internal sealed class TestNode : IDisposable
{
    private readonly int? _pid;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(10) };

    private TestNode(Uri api, int? pid)
    {
        Api = api;
        _pid = pid;
    }

    public Uri Api { get; }

    public static TestNode Start(string repoRoot, string? api)
    {
        if (api is not null) return new TestNode(new Uri(api), null);
        var listeners = Enumerable.Range(0, 4).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)).ToArray();
        listeners.ForEach(l => l.Stop());
        var psi = new ProcessStartInfo("bash", [Path.Combine(repoRoot, "tools", "ipfs-test-node", "start.sh")]) { RedirectStandardOutput = true };
        psi.Environment["IPFS_TEST_DIR"] = Path.Combine(Path.GetTempPath(), "cropdata-fetch-bench-node-" + Environment.ProcessId);
        (psi.Environment["IPFS_API_PORT"], psi.Environment["IPFS_GW_PORT"], psi.Environment["IPFS_SWARM_PORT"], psi.Environment["IPFS_GRPC_PORT"]) =
            (ports[0], ports[1], ports[2], ports[3]);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("tools/ipfs-test-node/start.sh failed (node and npm are needed)");
        var vars = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        return new TestNode(new Uri(vars["CROPDATA_IPFS_API"]), int.Parse(vars["CROPDATA_IPFS_PID"], CultureInfo.InvariantCulture));
    }

    /// <summary><c>ipfs add --cid-version=1</c> (raw leaves, 256 KiB chunks: the HLS catalogue's layout).</summary>
    public Task<string> AddAsync(string path) => AddAsync(_http, Api, path);

    /// <summary><c>ipfs add --cid-version=1</c> on the node whose RPC API is <paramref name="api"/> (also the IPFS benchmark's).</summary>
    public static async Task<string> AddAsync(HttpClient http, Uri api, string path)
    {
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(path), 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", Path.GetFileName(path));
        using var resp = await http.PostAsync(new Uri(api, "/api/v0/add?cid-version=1&raw-leaves=true&cid-base=base32"), form);
        var text = await resp.Content.ReadAsStringAsync();
        resp.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        return doc.RootElement.GetProperty("Hash").GetString()!;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_pid is { } pid)
            try { using var daemon = Process.GetProcessById(pid); daemon.Kill(); daemon.WaitForExit(10_000); }
            catch (ArgumentException) { }
    }
}
