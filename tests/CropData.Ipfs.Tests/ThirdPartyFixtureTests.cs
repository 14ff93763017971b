using System.Text;
using CropData.Ipfs.Car;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

/// <summary>
/// Issue 18: real files written by other IPFS implementations (data/reference/ipfs-fixtures, see its README): go-car's
/// CARv1 fixtures (blake2b-256 and identity blocks, Lotus-style zero-length sections) and ipfs/gateway-conformance's
/// sha2-512 file and identity CIDs. Each one was rejected before ("only sha2-256 and identity are verifiable",
/// "zero-length CAR section at byte 479907", "root block … is missing").
/// </summary>
public class ThirdPartyFixtureTests
{
    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("cropdata-fixtures-").FullName;
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private static string Fixture(string name) => Path.Combine(TestFiles.RepoRoot(), "data", "reference", "ipfs-fixtures", name);

    private static async Task<List<(Cid Cid, byte[] Data)>> ReadAllAsync(string car)
    {
        await using var stream = File.OpenRead(car);
        await using var reader = await CarReader.OpenAsync(stream);
        var blocks = new List<(Cid, byte[])>();
        while (await reader.ReadBlockAsync() is { } b) blocks.Add((b.Cid, b.Data.ToArray()));
        return blocks;
    }

    [Fact]
    public async Task Go_car_sample_blocks_all_verify_including_blake2b_256_and_identity_blocks()
    {
        var blocks = await ReadAllAsync(Fixture("go-car.sample-v1.car"));
        Assert.NotEmpty(blocks);
        var byFunction = blocks.GroupBy(b => b.Cid.HashFunction).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byFunction.GetValueOrDefault(Multicodec.Blake2b_256) > 0, "expected blake2b-256 blocks: " + string.Join(", ", byFunction.Keys.Select(Multicodec.Name)));
        Assert.True(byFunction.GetValueOrDefault(Multicodec.Identity) > 0, "expected identity blocks");
        foreach (var (cid, data) in blocks) Assert.True(cid.Matches(data), $"block {cid} does not verify");
        // And a flipped byte in a blake2b-256 block is caught.
        var (some, bytes) = blocks.First(b => b.Cid.HashFunction == Multicodec.Blake2b_256);
        var damaged = (byte[])bytes.Clone();
        damaged[^1] ^= 1;
        Assert.False(some.Matches(damaged));
    }

    [Fact]
    public async Task Go_car_noidentity_sample_is_the_sample_without_its_identity_blocks()
    {
        var all = await ReadAllAsync(Fixture("go-car.sample-v1.car"));
        var noIdentity = await ReadAllAsync(Fixture("go-car.sample-v1-noidentity.car"));
        Assert.Equal(all.Where(b => !b.Cid.IsIdentity).Select(b => b.Cid), noIdentity.Select(b => b.Cid));
    }

    [Theory]
    [InlineData("go-car.sample-v1-with-zero-len-section.car")]
    [InlineData("go-car.sample-v1-with-zero-len-section2.car")]
    public async Task A_zero_length_section_ends_the_data_as_go_car_reads_it(string car)
    {
        var blocks = await ReadAllAsync(Fixture(car));
        Assert.NotEmpty(blocks);
        foreach (var (cid, data) in blocks) Assert.True(cid.Matches(data), $"block {cid} does not verify");
        if (car == "go-car.sample-v1-with-zero-len-section.car")
            Assert.Equal((await ReadAllAsync(Fixture("go-car.sample-v1.car"))).Select(b => b.Cid), blocks.Select(b => b.Cid)); // the sample plus zero padding
    }

    [Fact]
    public async Task A_sha2_512_file_of_the_gateway_conformance_fixtures_fetches_verified_from_its_car()
    {
        var blocks = await ReadAllAsync(Fixture("gateway-conformance.subdomain_gateway.car"));
        var sha512 = blocks.Where(b => b.Cid.HashFunction == Multicodec.Sha2_512).ToList();
        var (cid, data) = Assert.Single(sha512); // `echo hello | ipfs add --cid-version 1 --hash sha2-512`
        Assert.Equal("hello\n", Encoding.ASCII.GetString(data));
        Assert.Equal(64, cid.DigestLength);

        using var dir = new TempDir();
        using var source = new LocalCarSource(Fixture("gateway-conformance.subdomain_gateway.car"));
        var result = await new IpfsFetcher([source]).FetchAsync(cid, dir.File("hello.txt"));
        Assert.Equal("hello\n", await File.ReadAllTextAsync(result.Path));
    }

    /// <summary>
    /// gateway-conformance's multiblock.txt was added by Kubo with <c>--chunker=size-256</c>: no re-import profile gives
    /// its CID. A path gateway then has to hand over the DAG (<c>?format=car</c>) for the bytes to be verified, and one
    /// that cannot says why the file is unverifiable there and what source would verify it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_added_with_an_odd_chunker_is_verified_through_its_dag_or_refused_with_the_reason(bool gatewayServesCars)
    {
        var car = Fixture("gateway-conformance.dir-with-duplicate-files.car");
        var blocks = await ReadAllAsync(car);
        await using var stream = File.OpenRead(car);
        await using var reader = await CarReader.OpenAsync(stream);
        var dir = CropData.Ipfs.Dag.DagPb.Decode(blocks.Single(b => b.Cid.Equals(reader.Header.Roots[0])).Data);
        var file = dir.Links.Single(l => l.Name == "multiblock.txt").Hash;
        var fileNode = CropData.Ipfs.Dag.DagPb.Decode(blocks.Single(b => b.Cid.Equals(file)).Data);
        Assert.True(fileNode.Links.Count > 1, "multiblock.txt should be chunked");

        using var tmp = new TempDir();
        using var local = new LocalCarSource(car);
        var expected = await File.ReadAllBytesAsync((await new IpfsFetcher([local]).FetchAsync(file, tmp.File("expected"))).Path);

        // The file's own DAG as a CAR: its root and the leaves it links to, in link order.
        var dag = new MemoryStream();
        var writer = new CarWriter(dag, [file]);
        writer.WriteBlock(file, blocks.Single(b => b.Cid.Equals(file)).Data);
        foreach (var link in fileNode.Links) writer.WriteBlock(link.Hash, blocks.First(b => b.Cid.Equals(link.Hash)).Data);
        var dagBytes = dag.ToArray();

        await using var gateway = new TestHttpServer(async (request, s, _) =>
        {
            if (request.Target == $"/ipfs/{file}") await TestHttpServer.WriteFull(s, 200, "OK", expected, ("Content-Type", "text/plain"));
            else if (request.Target.StartsWith($"/ipfs/{file}?format=car", StringComparison.Ordinal) && gatewayServesCars)
                await TestHttpServer.WriteFull(s, 200, "OK", dagBytes, ("Content-Type", "application/vnd.ipld.car; version=1"));
            else await TestHttpServer.WriteFull(s, 400, "Bad Request", "unsupported format"u8.ToArray());
        });
        var fetcher = new IpfsFetcher([new PathGatewaySource(gateway.BaseUri)], new IpfsFetchOptions { MaxAttemptsPerSource = 1 });
        if (gatewayServesCars)
        {
            var result = await fetcher.FetchAsync(file, tmp.File("got"));
            Assert.Equal(expected, await File.ReadAllBytesAsync(result.Path));
            Assert.Contains(gateway.Requests, r => r.Target.Contains("format=car", StringComparison.Ordinal));
        }
        else
        {
            var e = await Assert.ThrowsAsync<IpfsFetchException>(() => fetcher.FetchAsync(file, tmp.File("got")));
            Assert.Contains("re-import to", e.Message);
            Assert.Contains("a path gateway alone cannot verify it", e.Message);
            Assert.False(File.Exists(tmp.File("got")));
        }
    }

    [Theory]
    [InlineData("bafkqabtimvwgy3yk", "hello\n")] // gateway-conformance tests/path_gateway_cors_test.go
    [InlineData("bafkqaf3imvwgy3zaneqgc3janfxgy2lomvscay3jmqfa", null)] // tests/trustless_gateway_car_test.go
    public async Task An_identity_cid_is_answered_from_the_cid_without_asking_any_source(string text, string? expected)
    {
        var cid = Cid.Parse(text);
        Assert.True(cid.IsIdentity);
        using var dir = new TempDir();
        // The only source holds nothing of it: the bytes must come from the CID itself.
        using var empty = new LocalCarSource(Fixture("gateway-conformance.subdomain_gateway.car"));
        var fetcher = new IpfsFetcher([empty]);
        var result = await fetcher.FetchAsync(cid, dir.File("inline"));
        var bytes = await File.ReadAllBytesAsync(result.Path);
        Assert.Equal(cid.Digest.ToArray(), bytes);
        if (expected is not null) Assert.Equal(expected, Encoding.ASCII.GetString(bytes));
        Assert.True((await fetcher.CheckAsync(cid)).Retrievable);
    }
}

/// <summary>Each verifiable multihash function against its published test vector, and the truncation rule.</summary>
public class MultihashTests
{
    [Theory]
    // BLAKE3 spec test vector (input length 0); BLAKE2b-256 of "" (RFC 7693 parameters, digest length 32);
    // SHA-512 and SHA-256 of "abc" (FIPS 180-2).
    [InlineData(Multicodec.Blake3, "", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    [InlineData(Multicodec.Blake2b_256, "", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")]
    [InlineData(Multicodec.Sha2_512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    [InlineData(Multicodec.Sha2_256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Published_vectors_verify_and_a_changed_byte_does_not(ulong function, string input, string hex)
    {
        var digest = Convert.FromHexString(hex);
        var block = System.Text.Encoding.ASCII.GetBytes(input);
        Assert.True(Multihash.Verify(function, digest, block));
        Assert.True(Multihash.Verify(function, digest[..20], block)); // a truncated multihash compares its prefix
        Assert.False(Multihash.Verify(function, digest, [.. block, 0]));
    }

    [Fact]
    public void An_unknown_function_is_named_in_the_error()
    {
        var e = Assert.Throws<NotSupportedException>(() => Multihash.Verify(0x1014, new byte[32], [])); // sha3-256
        Assert.Contains("0x1014", e.Message);
        Assert.Contains("blake2b-256", e.Message);
    }
}
