using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Car;

/// <summary>Writes a CARv1: header, then one section (varint length, CID bytes, block bytes) per block, in call order.</summary>
public sealed class CarWriter
{
    private readonly Stream _stream;

    public CarWriter(Stream stream, IReadOnlyList<Cid> roots)
    {
        _stream = stream;
        var header = new CarHeader(1, roots).Encode();
        Varint.Write(stream, (ulong)header.Length);
        stream.Write(header);
    }

    public long BlocksWritten { get; private set; }

    public void WriteBlock(Cid cid, ReadOnlySpan<byte> data)
    {
        Varint.Write(_stream, (ulong)(cid.ByteLength + data.Length));
        _stream.Write(cid.Bytes);
        _stream.Write(data);
        BlocksWritten++;
    }
}
