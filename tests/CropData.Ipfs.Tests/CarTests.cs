using System.Buffers.Binary;
using CropData.Ipfs.Car;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Tests;

public class CarTests
{
    [Fact]
    public void Header_bytes_equal_those_of_a_car_exported_by_js_ipfs()
    {
        // First 59 bytes of js-ipfs's dag/export of bafybeickfxut…: varint length 0x3a, then dag-cbor {roots, version}.
        const string expected = "3aa265726f6f747381d82a582500017012204a2de93b850b45d878c96a5441a37aac1ccb94b8eada4fbbf2e4c81191051a516776657273696f6e01";
        var root = Cid.Parse("bafybeickfxutxbilixmhrslkkra2g6vmdtfzjohk3jh3x4xezaizcbi2ke");
        var ms = new MemoryStream();
        _ = new CarWriter(ms, [root]);
        Assert.Equal(expected, Convert.ToHexStringLower(ms.ToArray()));
    }

    [Fact]
    public async Task Written_blocks_read_back_in_order_with_their_offsets()
    {
        var a = new byte[] { 1, 2, 3 };
        var b = new byte[300];
        b[299] = 7;
        var ca = Cid.Compute(a, Multicodec.Raw);
        var cb = Cid.Compute(b, Multicodec.Raw);
        var ms = new MemoryStream();
        var w = new CarWriter(ms, [ca, cb]);
        w.WriteBlock(ca, a);
        w.WriteBlock(cb, b);
        var bytes = ms.ToArray();

        await using var r = await CarReader.OpenAsync(new MemoryStream(bytes));
        Assert.Equal([ca, cb], r.Header.Roots);
        var first = await r.ReadBlockAsync();
        Assert.Equal(ca, first!.Value.Cid);
        Assert.Equal(a, first.Value.Data.ToArray());
        Assert.Equal(a, bytes.AsSpan((int)first.Value.DataOffset, a.Length).ToArray());
        var second = await r.ReadBlockAsync();
        Assert.Equal(cb, second!.Value.Cid);
        Assert.Equal(b, bytes.AsSpan((int)second.Value.DataOffset, b.Length).ToArray());
        Assert.Null(await r.ReadBlockAsync());
    }

    [Fact]
    public async Task A_truncated_car_fails_with_end_of_stream()
    {
        var data = new byte[1000];
        var cid = Cid.Compute(data, Multicodec.Raw);
        var ms = new MemoryStream();
        new CarWriter(ms, [cid]).WriteBlock(cid, data);
        var cut = ms.ToArray()[..^10];
        await using var r = await CarReader.OpenAsync(new MemoryStream(cut));
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await r.ReadBlockAsync());
    }

    [Fact]
    public async Task Sections_over_the_limit_are_refused_before_being_buffered()
    {
        var data = new byte[5000];
        var cid = Cid.Compute(data, Multicodec.Raw);
        var ms = new MemoryStream();
        new CarWriter(ms, [cid]).WriteBlock(cid, data);
        await using var r = await CarReader.OpenAsync(new MemoryStream(ms.ToArray()), maxSectionLength: 4096);
        var e = await Assert.ThrowsAsync<FormatException>(async () => await r.ReadBlockAsync());
        Assert.Contains("limit", e.Message);
    }

    [Fact]
    public async Task Carv2_is_read_through_its_inner_carv1()
    {
        var data = new byte[] { 9, 8, 7 };
        var cid = Cid.Compute(data, Multicodec.Raw);
        var inner = new MemoryStream();
        new CarWriter(inner, [cid]).WriteBlock(cid, data);
        var v1 = inner.ToArray();

        // CARv2: pragma, 40-byte header (characteristics, data offset, data size, index offset), padding, CARv1, index.
        var car = new MemoryStream();
        car.Write(Convert.FromHexString("0aa16776657273696f6e02"));
        var header = new byte[40];
        const int dataOffset = 51 + 5;
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), dataOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), (ulong)v1.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), 0);
        car.Write(header);
        car.Write(new byte[5]);
        car.Write(v1);
        car.Write(new byte[] { 0xde, 0xad, 0xbe, 0xef });   // an "index" that must not be read as a section

        await using var r = await CarReader.OpenAsync(new MemoryStream(car.ToArray()));
        Assert.Equal(2, r.ContainerVersion);
        Assert.Equal([cid], r.Header.Roots);
        var block = await r.ReadBlockAsync();
        Assert.Equal(data, block!.Value.Data.ToArray());
        Assert.Null(await r.ReadBlockAsync());
    }

    [Theory]
    [InlineData("00", "length 0")]                                                     // zero-length header
    [InlineData("03a16178", "truncated")]                                              // map whose value is missing
    [InlineData("08a165726f6f747380", "without 'version'")]                            // {roots: []}
    [InlineData("11a265726f6f7473806776657273696f6e03", "unsupported CAR version 3")]  // {roots: [], version: 3}
    [InlineData("05a1", "truncated")]                                                  // header shorter than declared
    public async Task Malformed_headers_are_rejected(string hex, string expected)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () => await CarReader.OpenAsync(new MemoryStream(Convert.FromHexString(hex))));
        Assert.True(e is FormatException or EndOfStreamException, e.ToString());
        Assert.Contains(expected, e.Message);
    }
}
