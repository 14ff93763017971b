namespace CropData.Ipfs.Dag;

public enum UnixFsType { Raw = 0, Directory = 1, File = 2, Metadata = 3, Symlink = 4, HamtShard = 5 }

/// <summary>The UnixFS <c>Data</c> message carried in a dag-pb node's Data field (ipfs/specs UNIXFS.md, proto2).</summary>
public sealed record UnixFsData(UnixFsType Type, byte[]? Data, ulong? FileSize, IReadOnlyList<ulong> BlockSizes)
{
    public ulong? HashType { get; init; }
    public ulong? Fanout { get; init; }
    public uint? Mode { get; init; }

    /// <summary>Encodes in field order (Type, Data, filesize, blocksizes unpacked, …), as go-unixfs and js ipfs-unixfs do.</summary>
    public byte[] Encode()
    {
        var w = new ProtoWriter();
        w.Key(1, 0); w.Varint((ulong)Type);
        if (Data is not null) w.Bytes(2, Data);
        if (FileSize is { } fs) { w.Key(3, 0); w.Varint(fs); }
        foreach (var b in BlockSizes) { w.Key(4, 0); w.Varint(b); }
        if (HashType is { } h) { w.Key(5, 0); w.Varint(h); }
        if (Fanout is { } f) { w.Key(6, 0); w.Varint(f); }
        if (Mode is { } m) { w.Key(7, 0); w.Varint(m); }
        return w.ToArray();
    }

    /// <summary>Decodes; unknown fields are skipped as proto2 requires, blocksizes are accepted packed or unpacked.</summary>
    public static UnixFsData Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes);
        UnixFsType? type = null;
        byte[]? data = null;
        ulong? fileSize = null, hashType = null, fanout = null;
        uint? mode = null;
        var blockSizes = new List<ulong>();
        while (!r.End)
        {
            var (field, wt) = r.ReadKey();
            switch (field)
            {
                case 1 when wt == 0: type = (UnixFsType)r.ReadVarint(); break;
                case 2 when wt == 2: data = r.ReadBytes().ToArray(); break;
                case 3 when wt == 0: fileSize = r.ReadVarint(); break;
                case 4 when wt == 0: blockSizes.Add(r.ReadVarint()); break;
                case 4 when wt == 2:
                    var packed = new ProtoReader(r.ReadBytes());
                    while (!packed.End) blockSizes.Add(packed.ReadVarint());
                    break;
                case 5 when wt == 0: hashType = r.ReadVarint(); break;
                case 6 when wt == 0: fanout = r.ReadVarint(); break;
                case 7 when wt == 0: mode = (uint)r.ReadVarint(); break;
                default: r.Skip(wt); break;
            }
        }
        if (type is null) throw new FormatException("UnixFS Data without the required Type field");
        return new UnixFsData(type.Value, data, fileSize, blockSizes) { HashType = hashType, Fanout = fanout, Mode = mode };
    }
}
