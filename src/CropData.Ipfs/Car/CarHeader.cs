using System.Text;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Car;

/// <summary>
/// The CARv1 header, a dag-cbor map {roots: [CID…], version: 1}. Only the tiny part of CBOR this needs is
/// implemented: definite-length maps, arrays, text and byte strings, unsigned ints and tag 42 (CID links).
/// </summary>
public sealed record CarHeader(int Version, IReadOnlyList<Cid> Roots)
{
    /// <summary>dag-cbor bytes: keys in dag-cbor's canonical order (shorter first: "roots" before "version").</summary>
    public byte[] Encode()
    {
        var ms = new MemoryStream();
        ms.WriteByte(0xA2);
        WriteText(ms, "roots");
        WriteHead(ms, 4, (ulong)Roots.Count);
        foreach (var root in Roots)
        {
            ms.WriteByte(0xD8); ms.WriteByte(42);                 // tag 42: CID
            WriteHead(ms, 2, (ulong)root.ByteLength + 1);
            ms.WriteByte(0x00);                                    // the identity-multibase prefix dag-cbor puts before CID bytes
            ms.Write(root.Bytes);
        }
        WriteText(ms, "version");
        WriteHead(ms, 0, (ulong)Version);
        return ms.ToArray();
    }

    public static CarHeader Decode(ReadOnlySpan<byte> bytes)
    {
        var pos = 0;
        var (major, count) = ReadHead(bytes, ref pos);
        if (major != 5) throw new FormatException("CAR header is not a CBOR map");
        int? version = null;
        List<Cid>? roots = null;
        for (ulong i = 0; i < count; i++)
        {
            var key = ReadText(bytes, ref pos);
            switch (key)
            {
                case "version":
                    var (vm, v) = ReadHead(bytes, ref pos);
                    if (vm != 0 || v > 100) throw new FormatException("CAR header 'version' is not a small unsigned integer");
                    version = (int)v;
                    break;
                case "roots":
                    var (am, n) = ReadHead(bytes, ref pos);
                    if (am != 4 || n > 1_000_000) throw new FormatException("CAR header 'roots' is not an array");
                    roots = [];
                    for (ulong j = 0; j < n; j++) roots.Add(ReadCidLink(bytes, ref pos));
                    break;
                default:
                    SkipItem(bytes, ref pos, 0);
                    break;
            }
        }
        if (pos != bytes.Length) throw new FormatException("trailing bytes after the CAR header map");
        if (version is null) throw new FormatException("CAR header without 'version'");
        if (version == 1 && roots is null) throw new FormatException("CARv1 header without 'roots'");
        return new CarHeader(version.Value, roots ?? []);
    }

    private static Cid ReadCidLink(ReadOnlySpan<byte> b, ref int pos)
    {
        var (tm, tag) = ReadHead(b, ref pos);
        if (tm != 6 || tag != 42) throw new FormatException("CAR root is not a CBOR tag-42 CID");
        var (bm, len) = ReadHead(b, ref pos);
        if (bm != 2 || len < 2 || len > (ulong)(b.Length - pos)) throw new FormatException("CAR root CID is not a byte string");
        if (b[pos] != 0) throw new FormatException("CAR root CID lacks the 0x00 multibase prefix");
        var cid = Cid.FromBytes(b.Slice(pos + 1, (int)len - 1));
        pos += (int)len;
        return cid;
    }

    private static string ReadText(ReadOnlySpan<byte> b, ref int pos)
    {
        var (m, len) = ReadHead(b, ref pos);
        if (m != 3 || len > (ulong)(b.Length - pos)) throw new FormatException("CAR header map key is not a text string");
        var s = Encoding.UTF8.GetString(b.Slice(pos, (int)len));
        pos += (int)len;
        return s;
    }

    private static void SkipItem(ReadOnlySpan<byte> b, ref int pos, int depth)
    {
        if (depth > 16) throw new FormatException("CAR header nests too deeply");
        var (m, v) = ReadHead(b, ref pos);
        switch (m)
        {
            case 0 or 1 or 7: break;
            case 2 or 3:
                if (v > (ulong)(b.Length - pos)) throw new FormatException("truncated CBOR string in CAR header");
                pos += (int)v; break;
            case 4: for (ulong i = 0; i < v; i++) SkipItem(b, ref pos, depth + 1); break;
            case 5: for (ulong i = 0; i < 2 * v; i++) SkipItem(b, ref pos, depth + 1); break;
            case 6: SkipItem(b, ref pos, depth + 1); break;
        }
    }

    private static (int Major, ulong Value) ReadHead(ReadOnlySpan<byte> b, ref int pos)
    {
        if (pos >= b.Length) throw new FormatException("truncated CAR header");
        var ib = b[pos++];
        int major = ib >> 5, info = ib & 31;
        if (info < 24) return (major, (ulong)info);
        var n = info switch { 24 => 1, 25 => 2, 26 => 4, 27 => 8, _ => throw new FormatException("indefinite-length CBOR is not allowed in dag-cbor") };
        if (b.Length - pos < n) throw new FormatException("truncated CAR header");
        ulong v = 0;
        for (var i = 0; i < n; i++) v = v << 8 | b[pos++];
        return (major, v);
    }

    private static void WriteText(Stream s, string text)
    {
        var b = Encoding.UTF8.GetBytes(text);
        WriteHead(s, 3, (ulong)b.Length);
        s.Write(b);
    }

    private static void WriteHead(Stream s, int major, ulong value)
    {
        var m = (byte)(major << 5);
        if (value < 24) { s.WriteByte((byte)(m | value)); return; }
        var (info, n) = value <= byte.MaxValue ? (24, 1) : value <= ushort.MaxValue ? (25, 2) : value <= uint.MaxValue ? (26, 4) : (27, 8);
        s.WriteByte((byte)(m | info));
        for (var i = n - 1; i >= 0; i--) s.WriteByte((byte)(value >> (8 * i)));
    }
}
