using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

/// <summary>
/// Misbehaving sources, each served over a real socket by a local server from bytes the real node exported. Every
/// fault must be rejected with the source named, and the next source (the real node) must deliver the file.
/// </summary>
[Collection(IpfsNodeCollection.Name)]
public sealed class FetcherFaultTests(IpfsNodeFixture node) : IAsyncLifetime
{
    private readonly string _dir = TestFiles.NewTempDir("faults");
    private TestHttpServer _server = null!;
    private TestFile _file = null!;
    private Cid _cid = null!;
    private byte[] _car = [];
    private byte[] _bytes = [];
    private int _proxyCuts;

    private static readonly IpfsFetchOptions Fast = new()
    {
        MaxAttemptsPerSource = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        ResponseTimeout = TimeSpan.FromSeconds(5),
        StallTimeout = TimeSpan.FromSeconds(1),
        CheckTimeout = TimeSpan.FromSeconds(2),
    };

    public async Task InitializeAsync()
    {
        _file = await node.FileAsync("several-mib");
        _cid = Cid.Parse(_file.NodeCid);
        _car = await node.DagExportAsync(_file.NodeCid);
        _bytes = await File.ReadAllBytesAsync(_file.Path);
        _server = new TestHttpServer(Handle);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    /// <summary>Routes on the first path segment, the fault to play: /{mode}/ipfs/{cid}.</summary>
    private async Task Handle(TestRequest req, Stream s, CancellationToken ct)
    {
        var mode = req.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        var car = ("Content-Type", "application/vnd.ipld.car; version=1");
        switch (mode)
        {
            case "car-ok": await TestHttpServer.WriteFull(s, 200, "OK", _car, car); break;
            case "car-altered": await TestHttpServer.WriteFull(s, 200, "OK", await AlteredCarAsync(), car); break;
            case "car-foreign": await TestHttpServer.WriteFull(s, 200, "OK", await EditedCarAsync(b => b[3] = Foreign()), car); break;
            case "car-missing": await TestHttpServer.WriteFull(s, 200, "OK", await EditedCarAsync(b => b.RemoveAt(3)), car); break;
            case "car-extra": await TestHttpServer.WriteFull(s, 200, "OK", await EditedCarAsync(b => b.Add(Foreign())), car); break;
            case "car-truncated":
                // Promises the whole CAR, sends half, closes: a broken transfer.
                await TestHttpServer.WriteHead(s, 200, "OK", _car.Length, car);
                await s.WriteAsync(_car.AsMemory(0, _car.Length / 2), ct);
                break;
            case "car-stalled":
                await TestHttpServer.WriteHead(s, 200, "OK", _car.Length, car);
                await s.WriteAsync(_car.AsMemory(0, _car.Length / 2), ct);
                await s.FlushAsync(ct);
                await Task.Delay(Timeout.Infinite, ct);
                break;
            case "bytes-altered":
                var altered = (byte[])_bytes.Clone();
                altered[3_000_000] ^= 0x40;
                await TestHttpServer.WriteFull(s, 200, "OK", altered);
                break;
            case "bytes-short":
                // A clean, complete-looking response that lacks the file's tail.
                await TestHttpServer.WriteFull(s, 200, "OK", _bytes[..^1000]);
                break;
            case "not-found": await TestHttpServer.WriteFull(s, 404, "Not Found", "404 page not found"u8.ToArray()); break;
            case "error": await TestHttpServer.WriteFull(s, 500, "Internal Server Error", "{\"Message\":\"boom\",\"Code\":0,\"Type\":\"error\"}"u8.ToArray()); break;
            case "proxy-gw": await ProxyAsync(req, s, node.Gateway, "proxy-gw", ct); break;
            case "proxy-rpc": await ProxyAsync(req, s, node.Api, "proxy-rpc", ct); break;
            default: await TestHttpServer.WriteFull(s, 400, "Bad Request", []); break;
        }
    }

    /// <summary>Forwards to the real node; the first response is cut after 1,000,000 bytes (connection closed mid-body).</summary>
    private async Task ProxyAsync(TestRequest req, Stream s, Uri upstream, string prefix, CancellationToken ct)
    {
        using var fwd = new HttpRequestMessage(new HttpMethod(req.Method), new Uri(upstream, req.Target[(prefix.Length + 1)..]));
        if (req.Method == "POST") fwd.Content = new ByteArrayContent([]);
        if (req.Header("range") is { } range) fwd.Headers.TryAddWithoutValidation("Range", range);
        using var resp = await node.Http.SendAsync(fwd, ct);
        var body = await resp.Content.ReadAsByteArrayAsync(ct);
        var headers = new List<(string, string)>();
        if (resp.Content.Headers.ContentRange is { } cr) headers.Add(("Content-Range", cr.ToString()));
        await TestHttpServer.WriteHead(s, (int)resp.StatusCode, resp.ReasonPhrase ?? "", body.Length, [.. headers]);
        if (Interlocked.Increment(ref _proxyCuts) == 1 && body.Length > 1_000_000)
            await s.WriteAsync(body.AsMemory(0, 1_000_000), ct);
        else
            await s.WriteAsync(body, ct);
    }

    private async Task<byte[]> AlteredCarAsync() =>
        await EditedCarAsync(b =>
        {
            var data = (byte[])b[3].Data.Clone();
            data[100] ^= 1;
            b[3] = (b[3].Cid, data);
        });

    private async Task<byte[]> EditedCarAsync(Action<List<(Cid Cid, byte[] Data)>> edit)
    {
        var (roots, blocks) = await CarTools.ReadAllAsync(_car);
        edit(blocks);
        return CarTools.Write(roots, blocks);
    }

    private static (Cid, byte[]) Foreign()
    {
        var data = TestFiles.Bytes(262_144, 123_456);
        return (Cid.Compute(data, Multicodec.Raw), data);
    }

    private Uri At(string mode) => new(_server.BaseUri, mode + "/");

    private async Task<FetchResult> FetchWithFallbackAsync(IIpfsSource faulty)
    {
        var kubo = new KuboRpcSource(node.Api);
        var fetcher = new IpfsFetcher([faulty, kubo], Fast);
        var dest = Path.Combine(_dir, "band.tif.part");
        var result = await fetcher.FetchAsync(_cid, dest);
        Assert.Equal(kubo.Name, result.Source);
        Assert.Equal(_file.Sha256, TestFiles.Sha256(dest));
        // Only the verified destination is left: no temp or spill files.
        Assert.Equal(["band.tif.part"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.All(result.Failures, f => Assert.Equal(faulty.Name, f.Source));
        return result;
    }

    [Theory]
    [InlineData("car-altered", SourceFailureKind.Invalid, "do not hash to its CID")]
    [InlineData("car-foreign", SourceFailureKind.Invalid, "is missing")]
    [InlineData("car-missing", SourceFailureKind.Invalid, "is missing")]
    [InlineData("car-extra", SourceFailureKind.Invalid, "outside the file's DAG")]
    [InlineData("not-found", SourceFailureKind.NotFound, "HTTP 404")]
    public async Task A_bad_trustless_gateway_is_rejected_once_and_the_next_source_used(string mode, SourceFailureKind kind, string reason)
    {
        var result = await FetchWithFallbackAsync(new TrustlessGatewaySource(At(mode)));
        var failure = Assert.Single(result.Failures);   // not retried: the same source would send the same bytes
        Assert.Equal(kind, failure.Kind);
        Assert.Contains(reason, failure.Reason);
        if (kind == SourceFailureKind.Invalid) Assert.Contains(_file.NodeCid, failure.Reason);
    }

    [Theory]
    [InlineData("car-truncated", "truncated")]
    [InlineData("car-stalled", "stalled")]
    [InlineData("error", "HTTP 500")]
    public async Task Transient_failures_are_retried_then_the_next_source_used(string mode, string reason)
    {
        var result = await FetchWithFallbackAsync(new TrustlessGatewaySource(At(mode)));
        Assert.Equal(Fast.MaxAttemptsPerSource, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Equal(SourceFailureKind.Transient, f.Kind));
        Assert.Contains(reason, result.Failures[0].Reason);
        Assert.Equal(Fast.MaxAttemptsPerSource, _server.Requests.Count(r => r.Path.StartsWith("/" + mode, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Error_500_carries_the_kubo_message()
    {
        var result = await FetchWithFallbackAsync(new TrustlessGatewaySource(At("error")));
        Assert.Contains("boom", result.Failures[0].Reason);
    }

    [Theory]
    [InlineData("bytes-altered")]
    [InlineData("bytes-short")]
    public async Task Plain_gateway_bytes_that_do_not_reimport_to_the_cid_are_rejected(string mode)
    {
        var result = await FetchWithFallbackAsync(new PathGatewaySource(At(mode)));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(SourceFailureKind.Invalid, failure.Kind);
        Assert.Contains($"not to {_file.NodeCid}", failure.Reason);
    }

    [Fact]
    public async Task The_js_ipfs_gateway_is_not_taken_for_a_trustless_one()
    {
        // js-ipfs ignores ?format=car and Accept, answering with the file's bytes: unsupported, never trusted.
        var result = await FetchWithFallbackAsync(new TrustlessGatewaySource(node.Gateway));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(SourceFailureKind.Unsupported, failure.Kind);
        Assert.Contains("not a trustless gateway", failure.Reason);
    }

    [Fact]
    public async Task A_broken_path_gateway_transfer_resumes_with_range_from_the_real_gateway()
    {
        var source = new PathGatewaySource(At("proxy-gw"));
        var dest = Path.Combine(_dir, "resumed.part");
        var result = await new IpfsFetcher([source], Fast).FetchAsync(_cid, dest);
        Assert.Empty(result.Failures);
        Assert.Equal(_file.Sha256, TestFiles.Sha256(dest));
        var requests = _server.Requests.Where(r => r.Path.StartsWith("/proxy-gw/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Header("range"));
        Assert.Equal("bytes=1000000-", requests[1].Header("range"));
    }

    [Fact]
    public async Task A_broken_kubo_cat_transfer_resumes_with_offset()
    {
        var source = new KuboRpcSource(At("proxy-rpc"), KuboRpcMode.Cat);
        var dest = Path.Combine(_dir, "resumed.part");
        var result = await new IpfsFetcher([source], Fast).FetchAsync(_cid, dest);
        Assert.Empty(result.Failures);
        Assert.Equal(_file.Sha256, TestFiles.Sha256(dest));
        var requests = _server.Requests.Where(r => r.Path.StartsWith("/proxy-rpc/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("POST", r.Method));
        Assert.EndsWith("&offset=1000000", requests[1].Target);
    }

    [Fact]
    public async Task When_every_source_fails_the_error_names_the_cid_and_each_source_and_nothing_is_left()
    {
        var sources = new IIpfsSource[]
        {
            new TrustlessGatewaySource(At("not-found")),
            new PathGatewaySource(At("error")),
            new TrustlessGatewaySource(At("car-altered")),
            new LocalCarSource(Path.Combine(_dir, "no-such-mirror")),
        };
        var dest = Path.Combine(_dir, "never.part");
        var e = await Assert.ThrowsAsync<IpfsFetchException>(() => new IpfsFetcher(sources, Fast).FetchAsync(_cid, dest));
        Assert.Equal(_cid, e.Cid);
        Assert.Contains(_file.NodeCid, e.Message);
        foreach (var s in sources) Assert.Contains(s.Name, e.Message);
        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains("HTTP 500", e.Message);
        Assert.Contains("hash to its CID", e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_cid_no_source_has_times_out_at_the_node_and_fails_cleanly()
    {
        // js-ipfs answers dag/export of an unknown block with headers and the CAR header, then waits for the network.
        var unknown = Cid.Compute(TestFiles.Bytes(1000, 777), Multicodec.Raw);
        var kubo = new KuboRpcSource(node.Api);
        var options = Fast with { MaxAttemptsPerSource = 1 };
        var e = await Assert.ThrowsAsync<IpfsFetchException>(() => new IpfsFetcher([kubo], options).FetchAsync(unknown, Path.Combine(_dir, "u.part")));
        var failure = Assert.Single(e.Failures);
        Assert.Equal(SourceFailureKind.Transient, failure.Kind);
        Assert.Contains("stalled", failure.Reason);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Check_reports_the_first_source_that_has_the_cid_and_why_the_others_did_not()
    {
        var gw = new TrustlessGatewaySource(At("not-found"));
        var kubo = new KuboRpcSource(node.Api);
        var r = await new IpfsFetcher([gw, kubo], Fast).CheckAsync(_cid);
        Assert.True(r.Retrievable);
        Assert.Equal(kubo.Name, r.Source);
        Assert.Contains(r.Reasons, x => x.Contains(gw.Name, StringComparison.Ordinal) && x.Contains("404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Per_source_concurrency_limit_holds_across_a_batch()
    {
        // In flight = from the request's arrival until its response starts: the client cannot have released its
        // slot before that, so two at once means the limit did not hold. (The server's own count ends after the
        // write returns, by which time the client may already have sent its next request.)
        int inFlight = 0, maxInFlight = 0;
        var gated = new TestHttpServer(async (req, s, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(150, ct);
            Interlocked.Decrement(ref inFlight);
            await TestHttpServer.WriteFull(s, 200, "OK", _car, ("Content-Type", "application/vnd.ipld.car"));
        });
        await using var _ = gated;
        var source = new TrustlessGatewaySource(gated.BaseUri, maxConcurrency: 1);
        var requests = Enumerable.Range(0, 4).Select(i => new FetchRequest(_cid, Path.Combine(_dir, $"b{i}.part"))).ToList();
        var batch = new SyncProgress<BatchProgress>();
        var files = new SyncProgress<FetchProgress>();
        var outcomes = await new IpfsFetcher([source], Fast).FetchAllAsync(requests, maxParallel: 4, batch, fileProgress: files);
        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error?.Message));
        Assert.Equal(1, maxInFlight);
        Assert.Equal(4, gated.Requests.Count);
        Assert.Equal(new BatchProgress(4, 4, 0, 4 * _file.Length), batch.Items.MaxBy(p => p.FilesDone));
        Assert.Equal(4, files.Items.Count(p => p.Bytes == _file.Length));
        Assert.All(files.Items, p => Assert.Equal(source.Name, p.Source));
        foreach (var r in requests) Assert.Equal(_file.Sha256, TestFiles.Sha256(r.DestinationPath));
    }

    [Fact]
    public async Task Without_a_limit_the_batch_runs_in_parallel()
    {
        var arrived = 0;
        var bothIn = new TaskCompletionSource();
        var gated = new TestHttpServer(async (req, s, ct) =>
        {
            // Hold each request until a second one is in flight (or give up after 10 s), then serve.
            if (Interlocked.Increment(ref arrived) >= 2) bothIn.TrySetResult();
            await Task.WhenAny(bothIn.Task, Task.Delay(10_000, ct));
            await TestHttpServer.WriteFull(s, 200, "OK", _car, ("Content-Type", "application/vnd.ipld.car"));
        });
        await using var _ = gated;
        var source = new TrustlessGatewaySource(gated.BaseUri, maxConcurrency: 3);
        var requests = Enumerable.Range(0, 3).Select(i => new FetchRequest(_cid, Path.Combine(_dir, $"p{i}.part"))).ToList();
        var outcomes = await new IpfsFetcher([source], Fast).FetchAllAsync(requests, maxParallel: 3);
        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.True(gated.MaxConcurrent >= 2, $"max concurrent {gated.MaxConcurrent}");
    }

    [Fact]
    public async Task Sources_parse_from_configuration_strings()
    {
        var sources = IpfsSources.ParseAll(["kubo@8:" + node.Api, "trustless-gateway:" + At("car-ok"), "gateway:" + node.Gateway, "car:" + _dir, "kubo-cat:" + node.Api]);
        Assert.Equal([typeof(KuboRpcSource), typeof(TrustlessGatewaySource), typeof(PathGatewaySource), typeof(LocalCarSource), typeof(KuboRpcSource)],
            sources.Select(s => s.GetType()));
        Assert.Equal(8, sources[0].MaxConcurrency);
        var r = await new IpfsFetcher([sources[1]], Fast).FetchAsync(_cid, Path.Combine(_dir, "c.part"));
        Assert.Equal(_file.Length, r.Bytes);
        Assert.Throws<FormatException>(() => IpfsSources.Parse("ftp:x"));
        Assert.Throws<FormatException>(() => IpfsSources.Parse("kubo:not-a-url"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
