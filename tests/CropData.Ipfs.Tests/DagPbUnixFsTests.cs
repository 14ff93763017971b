using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Tests;

public class DagPbUnixFsTests
{
    // The root block js-ipfs made for a 600,000-byte file (add?cid-version=1&raw-leaves=true), read with block/get.
    private const string RootHex =
        "122c0a2401551220f4872b8e1cc93a842b161090e81ef49588f12f9c1b18f053456d7a099dabeab5120018808010" +
        "122c0a240155122088528446518c15b0b1ea465d4985b1d3ca5f3df30df9e0d0ea49f698b38aecf1120018808010" +
        "122c0a2401551220d2a8573a5a91d2b8490443df6051ba2fcf8b1c9348d252a5b8a9ce632b9f5e60120018c0cf04" +
        "0a12080218c0cf24208080102080801020c0cf04";

    [Fact]
    public void A_real_file_root_decodes_and_re_encodes_byte_for_byte()
    {
        var bytes = Convert.FromHexString(RootHex);
        Assert.Equal("bafybeickfxutxbilixmhrslkkra2g6vmdtfzjohk3jh3x4xezaizcbi2ke", Cid.Compute(bytes, Multicodec.DagPb).ToString());

        var node = DagPb.Decode(bytes);
        Assert.Equal(3, node.Links.Count);
        Assert.All(node.Links, l => Assert.Equal("", l.Name));
        Assert.All(node.Links, l => Assert.Equal(Multicodec.Raw, l.Hash.Codec));
        Assert.Equal([262144UL, 262144UL, 75712UL], node.Links.Select(l => l.Tsize!.Value));

        var fs = UnixFsData.Decode(node.Data);
        Assert.Equal(UnixFsType.File, fs.Type);
        Assert.Equal(600000UL, fs.FileSize);
        Assert.Equal([262144UL, 262144UL, 75712UL], fs.BlockSizes);
        Assert.Null(fs.Data);

        Assert.Equal(node.Data, fs.Encode());
        Assert.Equal(bytes, DagPb.Encode(node));
    }

    [Fact]
    public void Links_without_name_or_tsize_encode_without_those_fields()
    {
        var child = Cid.Compute([1, 2, 3], Multicodec.Raw);
        var bytes = DagPb.Encode(new PbNode([new PbLink(child, null, null)], null));
        Assert.Equal("12260a24" + Convert.ToHexStringLower(child.Bytes), Convert.ToHexStringLower(bytes));
        var back = DagPb.Decode(bytes);
        Assert.Null(back.Links[0].Name);
        Assert.Null(back.Links[0].Tsize);
        Assert.Null(back.Data);
    }

    [Theory]
    [InlineData("0a001200", "Links after Data")]                           // Data (field 1) then a link (field 2)
    [InlineData("0a000a00", "duplicate")]                                  // two Data fields
    [InlineData("1a00", "unknown PBNode field")]                           // field 3
    [InlineData("0800", "wire type")]                                      // Data as a varint
    [InlineData("12021200", "without Hash")]                               // link with only an empty Name
    [InlineData("0a05010203", "runs past the end")]                        // Data longer than the block
    public void Strict_dag_pb_decoding_rejects_non_canonical_blocks(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DagPb.Decode(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unixfs_accepts_packed_blocksizes_and_skips_unknown_fields()
    {
        // Type=File, filesize=3, blocksizes packed [1,2], unknown field 15 (varint).
        var fs = UnixFsData.Decode(Convert.FromHexString("0802180322020102" + "7801"));
        Assert.Equal([1UL, 2UL], fs.BlockSizes);
        Assert.Equal(3UL, fs.FileSize);
    }

    [Fact]
    public void Unixfs_without_type_is_rejected() =>
        Assert.Throws<FormatException>(() => UnixFsData.Decode(Convert.FromHexString("1803")));
}
