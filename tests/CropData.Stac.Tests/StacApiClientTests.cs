using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Auth;
using CropData.Stac.Model;
using CropData.Stac.Tests.Support;

namespace CropData.Stac.Tests;

/// <summary>The STAC API client against a real local server (127.0.0.1, free port): paging, retries, fallbacks, limits, auth.</summary>
public class StacApiClientTests
{
    private static List<StacItem> Items(int n, string collection = "C1") =>
        Enumerable.Range(0, n).Select(i => new StacItem($"item-{i:000}")
        {
            Collection = collection,
            Bbox = [-100 + i * 0.1, 40, -99.95 + i * 0.1, 40.05],
            Properties = new JsonObject { ["datetime"] = $"2022-{3 + i % 6:00}-{1 + i % 28:00}T17:00:00Z" },
        }).ToList();

    private sealed class Recorder
    {
        public ConcurrentQueue<TimeSpan> Waits { get; } = new();
        public ConcurrentQueue<string> Log { get; } = new();

        public StacClientOptions Options(StacClientOptions? o = null) => (o ?? new StacClientOptions()) with
        {
            Delay = (t, _) => { Waits.Enqueue(t); return Task.CompletedTask; },
            Log = Log.Enqueue,
        };
    }

    private static StacSearchRequest All => new() { Collections = ["C1"], Limit = 5 };

    [Theory]
    [InlineData(PagingMode.PostMerge)]
    [InlineData(PagingMode.PostToken)]
    public async Task Post_search_pages_through_next_links_with_body(PagingMode mode)
    {
        await using var server = new StacTestServer(Items(23).Concat(Items(4, "C2")));
        server.Paging = mode;
        using var client = new StacApiClient(server.BaseUri);
        var items = await client.SearchAllAsync(All);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"item-{i:000}"), items.Select(i => i.Id));
        var posts = server.Requests.Where(r => r.PathAndQuery == "/search").ToList();
        Assert.Equal(5, posts.Count);
        Assert.All(posts, p => Assert.Equal("POST", p.Method));
        if (mode == PagingMode.PostMerge)
        {
            // merge: the original body (collections, limit) plus the link's page number.
            var last = (JsonObject)StacJson.Parse(posts.Single(p => p.Body.Contains("\"page\":5")).Body, "body");
            Assert.Equal("C1", last["collections"]![0]!.GetValue<string>());
            Assert.Equal(5, last["limit"]!.GetValue<int>());
        }
        else
        {
            // no merge: only the token is sent.
            Assert.Equal(4, posts.Count(p => p.Body.StartsWith("{\"token\":")));
        }
        Assert.Equal(new Uri(server.BaseUri, "search"), items[0].SourceUri);
    }

    [Fact]
    public async Task Get_search_follows_next_hrefs()
    {
        await using var server = new StacTestServer(Items(12));
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { UseGet = true });
        var items = await client.SearchAllAsync(All with { Datetime = "2022-03-01T00:00:00Z/2022-05-31T23:59:59Z" });
        var expected = Items(12).Where(i => i.Datetime < new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero)).Select(i => i.Id);
        Assert.Equal(expected, items.Select(i => i.Id));
        Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Contains(server.Requests, r => r.PathAndQuery.Contains("page=2"));
    }

    [Theory]
    [InlineData("numberMatched", 3)]
    [InlineData("context", 3)]
    [InlineData("none", 4)] // without a total, only the empty page after the last ends the search
    public async Task The_matched_count_ends_paging_when_the_server_links_a_next_page_after_the_last(string matchedAs, int requests)
    {
        await using var server = new StacTestServer(Items(12)) { AlwaysLinkNext = true, MatchedAs = matchedAs };
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { UseGet = true });
        var items = await client.SearchAllAsync(All);
        Assert.Equal(Items(12).Select(i => i.Id), items.Select(i => i.Id));
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task A_405_on_post_falls_back_to_get_for_this_and_later_searches()
    {
        await using var server = new StacTestServer(Items(8));
        server.RejectPost = true;
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options());
        Assert.Equal(8, (await client.SearchAllAsync(All)).Count);
        Assert.True(client.PostUnsupported);
        Assert.Equal(8, (await client.SearchAllAsync(All)).Count);
        Assert.Equal(1, server.Requests.Count(r => r.Method == "POST"));
        Assert.Equal(4, server.Requests.Count(r => r.Method == "GET"));
        Assert.Contains(rec.Log, l => l.Contains("POST answered 405, using GET"));
    }

    [Fact]
    public async Task A_429_waits_the_retry_after_seconds_then_succeeds()
    {
        await using var server = new StacTestServer(Items(3));
        server.Faults.Enqueue(new Fault("/search", 429, RetryAfter: "7"));
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options());
        Assert.Equal(3, (await client.SearchAllAsync(All)).Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], rec.Waits);
        Assert.Equal([429, 200], server.Requests.Select(r => r.Status));
        Assert.Contains(rec.Log, l => l.Contains("HTTP 429") && l.Contains("Retry-After 7 s") && l.Contains("try 2 of 5"));
    }

    [Fact]
    public async Task A_429_with_an_http_date_waits_until_that_date_capped_by_the_option()
    {
        await using var server = new StacTestServer(Items(3));
        server.Faults.Enqueue(new Fault("/search", 429, RetryAfter: DateTimeOffset.UtcNow.AddSeconds(30).ToString("R")));
        server.Faults.Enqueue(new Fault("/search", 429, RetryAfter: DateTimeOffset.UtcNow.AddHours(2).ToString("R")));
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options(new StacClientOptions { MaxRetryAfter = TimeSpan.FromMinutes(1) }));
        Assert.Equal(3, (await client.SearchAllAsync(All)).Count);
        var waits = rec.Waits.ToArray();
        Assert.Equal(2, waits.Length);
        Assert.InRange(waits[0].TotalSeconds, 20, 31); // HTTP dates have whole seconds; the request took a moment
        Assert.Equal(TimeSpan.FromMinutes(1), waits[1]);
    }

    [Fact]
    public async Task A_real_retry_after_of_one_second_is_slept()
    {
        await using var server = new StacTestServer(Items(2));
        server.Faults.Enqueue(new Fault("/search", 429, RetryAfter: "1"));
        using var client = new StacApiClient(server.BaseUri);
        Assert.Equal(2, (await client.SearchAllAsync(All)).Count);
        Assert.Equal([429, 200], server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_500_then_success_is_retried_with_back_off()
    {
        await using var server = new StacTestServer(Items(3));
        server.Faults.Enqueue(new Fault("/search", 500));
        server.Faults.Enqueue(new Fault("/search", 503));
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options(new StacClientOptions { BaseBackoff = TimeSpan.FromMilliseconds(100) }));
        Assert.Equal(3, (await client.SearchAllAsync(All)).Count);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], rec.Waits);
        Assert.Equal([500, 503, 200], server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task Persistent_5xx_gives_up_after_max_tries_with_capped_back_off_naming_the_url()
    {
        await using var server = new StacTestServer(Items(3));
        server.Faults.Enqueue(new Fault("/search", 502) { Remaining = 100 });
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options(new StacClientOptions
        {
            MaxTries = 6, BaseBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(300),
        }));
        var e = await Assert.ThrowsAsync<StacHttpException>(() => client.SearchAllAsync(All));
        Assert.Equal(6, e.Tries);
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Contains("gave up after 6 tries", e.Message);
        Assert.Contains($"{server.BaseUri}search", e.Message);
        Assert.Equal(new[] { 100, 200, 300, 300, 300 }.Select(ms => TimeSpan.FromMilliseconds(ms)), rec.Waits);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_is_retried()
    {
        await using var server = new StacTestServer(Items(3));
        server.Faults.Enqueue(new Fault("/search", 200, Delay: TimeSpan.FromSeconds(5)));
        var rec = new Recorder();
        // 1.5 s: far below the fault's 5 s, and enough for the retried (undelayed) answer on a loaded 2-core machine
        // (a 0.4 s limit timed the retry out too once, beside the end-to-end tests).
        using var client = new StacApiClient(server.BaseUri, rec.Options(new StacClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(1500) }));
        Assert.Equal(3, (await client.SearchAllAsync(All)).Count);
        Assert.Single(rec.Waits);
        Assert.Contains(rec.Log, l => l.Contains("no complete response within 1.5 s"));
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_name_status_and_url()
    {
        await using var server = new StacTestServer(Items(1));
        using var client = new StacApiClient(server.BaseUri);
        var e = await Assert.ThrowsAsync<StacHttpException>(() => client.GetJsonAsync(new Uri(server.BaseUri, "missing.umm_json")));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains("missing.umm_json", e.Message);
        Assert.Contains("HTTP 404", e.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Requests_in_flight_never_exceed_the_concurrency_limit()
    {
        var docs = Enumerable.Range(0, 24).ToDictionary(i => $"/doc/{i}.json", i => System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
        await using var server = new StacTestServer([], docs) { ResponseDelay = TimeSpan.FromMilliseconds(150) };
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { MaxConcurrency = 3 });
        var results = await Task.WhenAll(docs.Keys.Select(p => client.GetJsonAsync(new Uri(server.BaseUri, p.TrimStart('/')))));
        Assert.Equal(Enumerable.Range(0, 24), results.Select(r => r["n"]!.GetValue<int>()).Order());
        Assert.InRange(server.MaxInFlight, 1, 3);
        Assert.Equal(50, new StacClientOptions().MaxConcurrency);
        Assert.Equal(5, new StacClientOptions().MaxTries);
    }

    [Fact]
    public async Task Bearer_token_from_the_environment_goes_to_the_api_host_only()
    {
        const string token = "edl-token-5d1e0c2b9a";
        var creds = EarthdataAuth.Resolve(new EarthdataAuthOptions
        {
            TokenVariable = "MY_EDL_TOKEN", GetEnvironmentVariable = n => n == "MY_EDL_TOKEN" ? token : null,
        }, "127.0.0.1");
        Assert.NotNull(creds);
        Assert.Equal("bearer", creds.Kind);
        Assert.DoesNotContain(token, creds.ToString());
        Assert.Contains("MY_EDL_TOKEN", creds.ToString());
        await using var server = new StacTestServer(Items(2), new Dictionary<string, byte[]> { ["/d.json"] = "{}"u8.ToArray() });
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { Credentials = creds });
        await client.SearchAllAsync(All);
        await client.GetJsonAsync(new Uri($"http://localhost:{server.Port}/d.json"));
        var reqs = server.Requests.ToList();
        Assert.Equal("Bearer " + token, reqs.Single(r => r.PathAndQuery == "/search").Authorization);
        Assert.Null(reqs.Single(r => r.PathAndQuery == "/d.json").Authorization); // localhost is not the API host
    }

    [Fact]
    public async Task Netrc_entry_for_the_host_gives_basic_auth()
    {
        using var tmp = new TempDir();
        var netrc = tmp.Sub(".netrc");
        File.WriteAllText(netrc, "machine example.org login nobody password x\n# comment\nmachine 127.0.0.1\n  login alice\n  password pw-7f3e9a\nmacdef init\ncd /\n\ndefault login anon password anon\n");
        var creds = EarthdataAuth.Resolve(new EarthdataAuthOptions { NetrcPath = netrc, GetEnvironmentVariable = _ => null }, "127.0.0.1")!;
        Assert.Equal("basic", creds.Kind);
        Assert.DoesNotContain("pw-7f3e9a", creds.ToString());
        await using var server = new StacTestServer(Items(1));
        using var client = new StacApiClient(server.BaseUri, new StacClientOptions { Credentials = creds });
        await client.SearchAllAsync(All);
        var header = server.Requests.Single().Authorization!;
        Assert.Equal("Basic " + Convert.ToBase64String("alice:pw-7f3e9a"u8.ToArray()), header);
        // The URS entry is the fallback for another API host; no entry and no token → no credentials.
        File.WriteAllText(netrc, "machine urs.earthdata.nasa.gov login bob password pw2\n");
        Assert.Equal("basic", EarthdataAuth.Resolve(new EarthdataAuthOptions { NetrcPath = netrc, GetEnvironmentVariable = _ => null }, "cmr.earthdata.nasa.gov")!.Kind);
        Assert.Null(EarthdataAuth.Resolve(new EarthdataAuthOptions { NetrcPath = tmp.Sub("none"), GetEnvironmentVariable = _ => null }, "h"));
    }

    [Fact]
    public async Task The_token_never_appears_in_logs_or_exceptions_even_when_the_server_echoes_it()
    {
        const string token = "edl-secret-0a9b8c7d6e";
        var creds = EarthdataCredentials.Bearer(token, "test");
        await using var server = new StacTestServer(Items(1)) { EchoAuthorizationOnError = true };
        server.Faults.Enqueue(new Fault("/search", 500) { Remaining = 100 });
        var rec = new Recorder();
        using var client = new StacApiClient(server.BaseUri, rec.Options(new StacClientOptions { Credentials = creds, MaxTries = 3 }));
        var e1 = await Assert.ThrowsAsync<StacHttpException>(() => client.SearchAllAsync(All));
        var e2 = await Assert.ThrowsAsync<StacHttpException>(() => client.GetJsonAsync(new Uri(server.BaseUri, "nope.umm_json")));
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + token, r.Authorization)); // it was sent...
        Assert.Contains("***", e2.Message); // ...the 404 body echoed it, and it was scrubbed
        foreach (var text in rec.Log.Append(e1.ToString()).Append(e2.ToString()).Append(creds.ToString()))
            Assert.DoesNotContain(token, text);
        Assert.NotEmpty(rec.Log);
    }
}
