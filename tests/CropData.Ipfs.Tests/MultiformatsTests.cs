using System.Text;
using System.Text.Json;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Tests.Support;

namespace CropData.Ipfs.Tests;

public class MultiformatsTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "ac02")]
    [InlineData(16384UL, "808001")]
    [InlineData(0x7FFFFFFFFFFFFFFFUL, "ffffffffffffffff7f")]
    public void Varint_round_trips_the_multiformats_vectors(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Varint.Encode(value)));
        Assert.Equal(value, Varint.Read(Convert.FromHexString(hex), out var n));
        Assert.Equal(hex.Length / 2, n);
    }

    [Theory]
    [InlineData("8000")]                 // 0 with a trailing zero group: not minimal
    [InlineData("ffffffffffffffffff01")] // 10 bytes
    public void Varint_rejects_non_minimal_and_overlong_encodings(string hex) =>
        Assert.Throws<FormatException>(() => Varint.Read(Convert.FromHexString(hex), out _));

    [Fact]
    public void Varint_reports_a_truncated_varint() =>
        Assert.False(Varint.TryRead(Convert.FromHexString("8080"), out _, out _));

    [Theory]   // RFC 4648 test vectors, lower case, no padding (multibase 'b')
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Base32_matches_rfc4648(string text, string base32)
    {
        Assert.Equal(base32, Multibase.EncodeBase32(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(Multibase.DecodeBase32(base32)));
    }

    [Theory]
    [InlineData("hello world", "StV1DL6CwTryKyV")]
    [InlineData("\0\0abc", "11ZiCa")]
    public void Base58btc_matches_known_vectors(string text, string b58)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.Equal(b58, Multibase.EncodeBase58Btc(bytes));
        Assert.Equal(bytes, Multibase.DecodeBase58Btc(b58));
    }

    [Fact]
    public void Cidv1_printed_by_js_ipfs_in_base58btc_equals_its_base32_form()
    {
        // Both strings came from the js-ipfs test node for the same 600,000-byte file (with and without cid-base=base32).
        var b32 = Cid.Parse("bafybeickfxutxbilixmhrslkkra2g6vmdtfzjohk3jh3x4xezaizcbi2ke");
        var b58 = Cid.Parse("zdj7WaRTrQdvRd3HAjnqxRTWPsg1NA5DhxWVXVBjHcYt5tf3n");
        Assert.Equal(b32, b58);
        Assert.Equal("zdj7WaRTrQdvRd3HAjnqxRTWPsg1NA5DhxWVXVBjHcYt5tf3n", b32.ToBase58String());
        Assert.Equal(1, b32.Version);
        Assert.Equal(Multicodec.DagPb, b32.Codec);
        Assert.Equal(Multicodec.Sha2_256, b32.HashFunction);
    }

    [Fact]
    public void Cidv0_converts_to_its_cidv1()
    {
        // A CIDv0 js-ipfs gave a 600,000-byte file; the node's block/stat found the block under this CIDv1 and
        // printed its key as zdj7WjXQ….
        var v0 = Cid.Parse("QmcS9t1dMad7zxLVZbQzNc65c1bTuGC41wL8xJVGVnybZE");
        Assert.Equal(0, v0.Version);
        Assert.Equal("QmcS9t1dMad7zxLVZbQzNc65c1bTuGC41wL8xJVGVnybZE", v0.ToString());
        var v1 = v0.ToV1();
        Assert.Equal("bafybeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4u", v1.ToString());
        Assert.Equal("zdj7WjXQFShD46isfeRJLNcEyveEDnucocBtFjfd6swKEYVjA", v1.ToBase58String());
        Assert.True(v0.Key.Equals(v1.Key));
        Assert.NotEqual(v0, v1);
        Assert.Equal(v0, Cid.FromBytes(v0.Bytes));
    }

    [Fact]
    public void Raw_leaf_cid_of_empty_bytes_is_the_well_known_one()
    {
        var cid = Cid.Compute([], Multicodec.Raw);
        Assert.Equal("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", cid.ToString());
        Assert.True(cid.Matches([]));
        Assert.False(cid.Matches([0]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Qm")]
    [InlineData("QmcS9t1dMad7zxLVZbQzNc65c1bTuGC41wL8xJVGVnybZ0")]   // '0' is not base58
    [InlineData("bafybeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4")]   // truncated digest
    [InlineData("bafybeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4uaaa")] // trailing bytes
    [InlineData("BAFYbeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4u")]   // mixed case
    [InlineData("xafybeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4u")]   // unknown multibase
    public void Invalid_cid_strings_are_rejected_with_the_string_named(string text)
    {
        Assert.False(Cid.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => Cid.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Upper_case_base32_parses_to_the_same_cid()
    {
        var lower = Cid.Parse("bafybeigrnsasp26wg422mzf3wrw7jkrfyeeg3xogxwfqtur5muzb7svg4u");
        Assert.Equal(lower, Cid.Parse("BAFYBEIGRNSASP26WG422MZF3WRW7JKRFYEEG3XOGXWFQTUR5MUZB7SVG4U"));
    }

    [Fact]
    public void Every_reference_cid_of_the_band_catalogue_is_a_cidv1_that_round_trips()
    {
        // Pipeline spec stage 6: data/reference/easierdata/filename_to_cid_mapping.json holds real filename -> CID pairs.
        var path = Path.Combine(TestFiles.RepoRoot(), "data", "reference", "easierdata", "filename_to_cid_mapping.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        int count = 0, rawCount = 0;
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var text = entry.GetProperty("cid").GetString()!;
            var cid = Cid.Parse(text);
            Assert.Equal(1, cid.Version);
            // Band files are multi-chunk dag-pb roots (bafybei…); Fmask files of at most 256 KiB are single raw blocks (bafkrei…).
            Assert.Equal(text.StartsWith("bafybei", StringComparison.Ordinal) ? Multicodec.DagPb : Multicodec.Raw, cid.Codec);
            Assert.True(text.StartsWith("bafybei", StringComparison.Ordinal) || text.StartsWith("bafkrei", StringComparison.Ordinal), text);
            if (cid.Codec == Multicodec.Raw) rawCount++;
            Assert.Equal(Multicodec.Sha2_256, cid.HashFunction);
            Assert.Equal(32, cid.DigestLength);
            Assert.Equal(text, cid.ToString());
            Assert.Equal(cid, Cid.Parse(cid.ToBase58String()));
            Assert.Equal(cid, Cid.FromBytes(cid.Bytes));
            count++;
        }
        Assert.Equal(231, count);
        Assert.Equal(8, rawCount);
    }
}
