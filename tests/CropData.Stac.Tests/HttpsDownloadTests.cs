using System.Security.Cryptography;
using CropData.Dataset.Scenes;
using CropData.Stac.Auth;
using CropData.Stac.Download;
using CropData.Tests.Shared;

namespace CropData.Stac.Tests;

/// <summary>
/// docs/PIPELINE.md stage 7, the https source: the Earthdata token follows redirects to the href's origin and the
/// authentication hosts only (never to the signed S3 URL), and a file is checked against its granule's UMM-G checksum.
/// </summary>
public sealed class HttpsDownloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cropdata-https-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("https://data.lpdaac.earthdatacloud.nasa.gov/x.tif", true)]              // the href's own origin
    [InlineData("https://urs.earthdata.nasa.gov/oauth/authorize?x=1", true)]              // the Earthdata login host
    [InlineData("https://auth.example.org:8443/login", true)]                             // configured host:port
    [InlineData("https://auth.example.org:9000/login", false)]                            // ... on another port
    [InlineData("https://sso.example.net/any", true)]                                     // configured host, any port
    [InlineData("https://lp-prod-protected.s3.us-west-2.amazonaws.com/x.tif?X-Amz-Signature=s", false)] // the signed S3 URL
    [InlineData("https://data.lpdaac.earthdatacloud.nasa.gov:444/x.tif", false)]          // same host, other port: another origin
    [InlineData("http://data.lpdaac.earthdatacloud.nasa.gov/x.tif", false)]               // downgraded to plain http
    [InlineData("http://urs.earthdata.nasa.gov/oauth", false)]                            // plain http, even to the auth host
    public void The_token_goes_to_the_origin_and_auth_hosts_only_over_https(string target, bool sends)
    {
        var href = new Uri("https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/x.tif");
        Assert.Equal(sends, EarthdataTokenRule.SendsCredentials(href, new Uri(target), ["auth.example.org:8443", "sso.example.net"]));
    }

    [Fact]
    public void Plain_http_is_allowed_to_loopback_only_for_local_servers()
    {
        var href = new Uri("http://127.0.0.1:5000/f.tif");
        Assert.True(EarthdataTokenRule.SendsCredentials(href, new Uri("http://127.0.0.1:5000/other"), []));
        Assert.False(EarthdataTokenRule.SendsCredentials(href, new Uri("http://127.0.0.1:5001/other"), []));
        Assert.True(EarthdataTokenRule.SendsCredentials(href, new Uri("http://127.0.0.1:5001/other"), ["127.0.0.1:5001"]));
    }

    [Fact]
    public async Task A_band_follows_login_and_signed_url_redirects_with_the_token_only_where_it_belongs()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(Path.Combine(_dir, "S.B02.tif"), bytes);
        using var server = new EarthdataLikeServer(_dir, "tok-123456");
        using var downloader = new EarthdataDownloader(new EarthdataDownloadOptions
        {
            Credentials = EarthdataCredentials.Bearer("tok-123456", "test"), AuthHosts = [server.AuthHost], MaxTries = 1,
        });
        var target = Path.Combine(_dir, "out.tif");

        var result = await downloader.DownloadAsync(new Uri(server.Href("S.B02.tif")), target);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        // data -> auth -> data/login (cookie) -> data -> signed S3 URL
        Assert.Equal(["data", "auth", "data", "data", "s3"], server.Requests.Select(r => r.Server));
        Assert.All(server.Requests.Where(r => r.Server != "s3"), r => Assert.Equal("Bearer tok-123456", r.Authorization));
        Assert.Null(Assert.Single(server.Requests, r => r.Server == "s3").Authorization);
        Assert.Equal([true, true, true, true, false], result.Hops.Select(h => h.SentCredentials));
    }

    [Fact]
    public async Task Without_credentials_the_login_refusal_is_one_clear_error()
    {
        using var server = new EarthdataLikeServer(_dir, "tok-123456");
        using var downloader = new EarthdataDownloader(new EarthdataDownloadOptions { AuthHosts = [server.AuthHost], MaxTries = 1 });
        var e = await Assert.ThrowsAsync<EarthdataDownloadException>(() => downloader.DownloadAsync(new Uri(server.Href("S.B02.tif")), Path.Combine(_dir, "o.tif")));
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("no Earthdata credentials", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "o.tif")));
    }

    [Fact]
    public async Task An_auth_host_left_out_of_the_config_gets_no_token_and_the_download_fails()
    {
        using var server = new EarthdataLikeServer(_dir, "tok-123456");
        using var downloader = new EarthdataDownloader(new EarthdataDownloadOptions { Credentials = EarthdataCredentials.Bearer("tok-123456", "test"), MaxTries = 1 });
        var e = await Assert.ThrowsAsync<EarthdataDownloadException>(() => downloader.DownloadAsync(new Uri(server.Href("S.B02.tif")), Path.Combine(_dir, "o.tif")));
        Assert.Contains("401", e.Message);
        Assert.Null(Assert.Single(server.Requests, r => r.Server == "auth").Authorization);
    }

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    [InlineData("SHA-512")]
    public void A_file_matching_its_UMM_G_checksum_passes(string algorithm)
    {
        var file = Path.Combine(_dir, "S.B03.tif");
        File.WriteAllBytes(file, "band bytes"u8.ToArray());
        var value = Convert.ToHexString(algorithm switch
        {
            "MD5" => MD5.HashData("band bytes"u8),
            "SHA-512" => SHA512.HashData("band bytes"u8),
            _ => SHA256.HashData("band bytes"u8),
        }); // upper case: UMM-G values are compared case-insensitively
        FileChecksumCheck.Verify(file, new FileChecksum(algorithm, value), "S.B03.tif", "HLS.S30.T14SPJ.2022229T170851.v2.0");
    }

    [Fact]
    public void A_file_not_matching_its_UMM_G_checksum_is_an_error_naming_file_scene_and_expected_checksum()
    {
        var file = Path.Combine(_dir, "S.B03.tif");
        File.WriteAllBytes(file, "band bytes, altered"u8.ToArray());
        var expected = Convert.ToHexStringLower(SHA256.HashData("band bytes"u8));
        var e = Assert.Throws<ChecksumMismatchException>(() => FileChecksumCheck.Verify(file,
            new FileChecksum("SHA-256", expected), "HLS.S30.T14SPJ.2022229T170851.v2.0.B03.tif", "HLS.S30.T14SPJ.2022229T170851.v2.0"));
        Assert.Contains("HLS.S30.T14SPJ.2022229T170851.v2.0.B03.tif of scene HLS.S30.T14SPJ.2022229T170851.v2.0", e.Message);
        Assert.Contains("UMM-G states SHA-256 " + expected, e.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData("band bytes, altered"u8)), e.Message);
        Assert.False(FileChecksumCheck.IsSupported("Fletcher-32"));
    }

    [Fact]
    public void UMM_G_file_checksums_are_read_per_band_and_written_back()
    {
        const string id = "HLS.S30.T14SPJ.2022229T170851.v2.0";
        var scene = SceneRecord.Create(id, new DateOnly(2022, 8, 17), 6, 100,
            [KeyValuePair.Create("B02", $"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/{id}/{id}.B02.tif")], [])
            with { Checksums = new SortedDictionary<string, FileChecksum>(StringComparer.Ordinal) { ["B02"] = new("SHA-256", "ab12"), ["Fmask"] = new("MD5", "cd34") } };
        var doc = CropData.Stac.Hls.HlsStacItems.UmmgDocument(scene, new DateTimeOffset(2022, 8, 17, 17, 8, 51, TimeSpan.Zero));
        // an entry without a checksum and one of a band not asked for are ignored
        ((System.Text.Json.Nodes.JsonArray)doc["DataGranule"]!["ArchiveAndDistributionInformation"]!).Add(new System.Text.Json.Nodes.JsonObject { ["Name"] = $"{id}.B03.tif", ["SizeInBytes"] = 5 });
        var parsed = CropData.Stac.Hls.UmmgParser.Parse(doc, ["B02", "B03"], id, "test").Scene!;
        Assert.Equal(new FileChecksum("SHA-256", "ab12"), Assert.Single(parsed.Checksums).Value);
        Assert.Equal("B02", parsed.Checksums.Keys.Single());
    }
}
