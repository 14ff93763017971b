using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace CropData.Geo.Tests;

public class FetcherTests
{
    private static byte[] Payload(int n)
    {
        var b = new byte[n];
        new Random(7).NextBytes(b);
        return b;
    }

    private static ManifestEntry Entry(string url, byte[]? pinnedTo, string path = "data/external/big.bin") => new()
    {
        Path = path, Url = url, Licence = "test", Committed = false,
        Sha256 = pinnedTo is null ? null : Convert.ToHexStringLower(SHA256.HashData(pinnedTo)),
        Size = pinnedTo?.Length,
        Note = pinnedTo is null ? DataManifest.UnpinnedNote : null,
    };

    private static PinnedInputFetcher Fetcher(HttpClient http, string root) =>
        new(http, root) { RetryDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 4 };

    [Fact]
    public async Task Downloads_verifies_and_renames_into_place_with_progress()
    {
        await using var server = new LocalHttpServer();
        var body = Payload(300_000);
        server.Serve("/big.bin", body);
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var seen = new List<FetchProgress>();
        var r = Assert.Single(await Fetcher(http, tmp.Path).FetchMissingAsync([Entry(server.Url("/big.bin"), body)], seen.Add));
        Assert.Equal(body, File.ReadAllBytes(r.FullPath));
        Assert.False(File.Exists(r.FullPath + PinnedInputFetcher.PartSuffix));
        Assert.True(r.WasPinned);
        Assert.Equal(300_000, seen[^1].Bytes);
        Assert.Equal(300_000, seen[^1].TotalBytes);
        Assert.True(seen.Select(p => p.Bytes).SequenceEqual(seen.Select(p => p.Bytes).Order()));
        // Present files are not fetched again.
        Assert.Empty(await Fetcher(http, tmp.Path).FetchMissingAsync([Entry(server.Url("/big.bin"), body)]));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_cut_connection_resumes_with_a_range_request()
    {
        await using var server = new LocalHttpServer();
        var body = Payload(500_000);
        server.Serve("/big.bin", body);
        server.Cuts["/big.bin"] = (1, 123_456);
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var r = Assert.Single(await Fetcher(http, tmp.Path).FetchMissingAsync([Entry(server.Url("/big.bin"), body)]));
        Assert.Equal(body, File.ReadAllBytes(r.FullPath));
        var requests = server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Range);
        // The resume asks for exactly the bytes after what reached the disk (the cut may lose in-flight bytes).
        Assert.StartsWith("bytes=", requests[1].Range);
        var from = long.Parse(requests[1].Range!["bytes=".Length..^1]);
        Assert.InRange(from, 1, 123_456);
    }

    [Fact]
    public async Task A_part_left_by_an_earlier_run_is_resumed()
    {
        await using var server = new LocalHttpServer();
        var body = Payload(200_000);
        server.Serve("/big.bin", body);
        using var tmp = new TempDir();
        var e = Entry(server.Url("/big.bin"), body);
        var dest = DataManifest.FullPath(tmp.Path, e);
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        File.WriteAllBytes(dest + PinnedInputFetcher.PartSuffix, body[..70_000]);
        using var http = new HttpClient();
        await Fetcher(http, tmp.Path).FetchMissingAsync([e]);
        Assert.Equal(body, File.ReadAllBytes(dest));
        Assert.Equal("bytes=70000-", Assert.Single(server.Requests).Range);
    }

    [Fact]
    public async Task A_server_ignoring_range_restarts_the_file()
    {
        await using var server = new LocalHttpServer { IgnoreRange = true };
        var body = Payload(100_000);
        server.Serve("/big.bin", body);
        using var tmp = new TempDir();
        var e = Entry(server.Url("/big.bin"), body);
        var dest = DataManifest.FullPath(tmp.Path, e);
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        File.WriteAllBytes(dest + PinnedInputFetcher.PartSuffix, new byte[40_000]);   // wrong bytes
        using var http = new HttpClient();
        await Fetcher(http, tmp.Path).FetchMissingAsync([e]);
        Assert.Equal(body, File.ReadAllBytes(dest));
    }

    [Fact]
    public async Task A_sha256_mismatch_deletes_the_download_and_names_both_hashes()
    {
        await using var server = new LocalHttpServer();
        var body = Payload(50_000);
        var other = Payload(50_000).Reverse().ToArray();
        server.Serve("/big.bin", other);
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var e = Entry(server.Url("/big.bin"), body);
        var ex = await Assert.ThrowsAsync<ChecksumMismatchException>(() => Fetcher(http, tmp.Path).FetchMissingAsync([e]));
        Assert.Contains(e.Sha256!, ex.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(other)), ex.Message);
        Assert.Contains(server.Url("/big.bin"), ex.Message);
        var dest = DataManifest.FullPath(tmp.Path, e);
        Assert.False(File.Exists(dest));
        Assert.False(File.Exists(dest + PinnedInputFetcher.PartSuffix));
    }

    [Fact]
    public async Task An_unpinned_entry_downloads_and_reports_the_hash_to_pin()
    {
        await using var server = new LocalHttpServer();
        var body = Payload(10_000);
        server.Serve("/cdl.zip", body);
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var r = Assert.Single(await Fetcher(http, tmp.Path).FetchMissingAsync([Entry(server.Url("/cdl.zip"), null)]));
        Assert.False(r.WasPinned);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), r.Sha256);
        Assert.Equal(10_000, r.Size);
    }

    [Fact]
    public async Task Unreachable_server_says_what_to_download_and_where()
    {
        // A port that was free a moment ago: connections are refused, as when offline.
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var e = Entry($"http://127.0.0.1:{port}/2022_30m_cdls.zip", null, "data/external/2022_30m_cdls.zip");
        var ex = await Assert.ThrowsAsync<InputDownloadException>(() => Fetcher(http, tmp.Path).FetchMissingAsync([e]));
        Assert.Contains($"download http://127.0.0.1:{port}/2022_30m_cdls.zip", ex.Message);
        Assert.Contains(Path.Combine(tmp.Path, "data", "external", "2022_30m_cdls.zip"), ex.Message);
        Assert.Contains(DataManifest.UnpinnedNote, ex.Message);
    }

    [Fact]
    public async Task Offline_mode_lists_every_missing_input_without_network()
    {
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var m = DataManifest.LoadFromRepo(RepoPaths.Root);
        var f = new PinnedInputFetcher(http, tmp.Path) { Offline = true };
        var ex = await Assert.ThrowsAsync<InputDownloadException>(() => f.FetchMissingAsync([m["data/external/2022_30m_cdls.zip"]]));
        Assert.Contains("https://www.nass.usda.gov/Research_and_Science/Cropland/Release/datasets/2022_30m_cdls.zip", ex.Message);
        Assert.Contains(Path.Combine(tmp.Path, "data", "external", "2022_30m_cdls.zip"), ex.Message);
    }

    [Fact]
    public async Task A_404_is_not_retried_and_names_the_url()
    {
        await using var server = new LocalHttpServer();
        using var tmp = new TempDir();
        using var http = new HttpClient();
        var ex = await Assert.ThrowsAsync<InputDownloadException>(() =>
            Fetcher(http, tmp.Path).FetchMissingAsync([Entry(server.Url("/gone.bin"), null)]));
        Assert.Contains("404", ex.Message);
        Assert.Single(server.Requests);
    }
}
