using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Dag;

/// <summary>
/// The few protobuf wire-format operations dag-pb and UnixFS need. A hand codec rather than Google.Protobuf:
/// dag-pb's canonical form writes Links (field 2) before Data (field 1), which generated code never does, and its
/// decoder must reject what the dag-pb spec forbids (unknown fields, Data before Links, duplicates); byte-exact
/// output is what makes our CIDs equal Kubo's.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos = 0;

    public readonly bool End => _pos >= _data.Length;

    public (int Field, int WireType) ReadKey()
    {
        var key = ReadVarint();
        if (key >> 3 is 0 or > int.MaxValue) throw new FormatException($"protobuf field number {key >> 3} is invalid");
        return ((int)(key >> 3), (int)(key & 7));
    }

    public ulong ReadVarint()
    {
        // Protobuf varints may be up to 10 bytes and need not be minimal, unlike multiformats varints.
        ulong v = 0;
        for (var i = 0; i < 10; i++)
        {
            if (_pos >= _data.Length) throw new FormatException("truncated protobuf varint");
            var b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return v;
        }
        throw new FormatException("protobuf varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos)) throw new FormatException("protobuf length-delimited field runs past the end");
        var s = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return s;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Advance(8); break;
            case 2: ReadBytes(); break;
            case 5: Advance(4); break;
            default: throw new FormatException($"unsupported protobuf wire type {wireType}");
        }
    }

    private void Advance(int n)
    {
        if (_data.Length - _pos < n) throw new FormatException("truncated protobuf field");
        _pos += n;
    }
}

internal sealed class ProtoWriter
{
    private byte[] _buf = new byte[256];
    private int _len;

    public int Length => _len;

    public void Key(int field, int wireType) => Varint((ulong)field << 3 | (uint)wireType);

    public void Varint(ulong value)
    {
        Ensure(10);
        _len += Multiformats.Varint.Write(_buf.AsSpan(_len), value);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        Varint((ulong)value.Length);
        Raw(value);
    }

    public void Raw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buf.AsSpan(_len));
        _len += value.Length;
    }

    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    private void Ensure(int extra)
    {
        if (_len + extra <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + extra));
    }
}
