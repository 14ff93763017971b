using System.Text;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Dag;

/// <summary>A dag-pb link: the child's CID, an optional name (file chunks: empty string), optional cumulative size.</summary>
public sealed record PbLink(Cid Hash, string? Name, ulong? Tsize);

/// <summary>A dag-pb node (ipld/specs block-layer/codecs/dag-pb).</summary>
public sealed record PbNode(IReadOnlyList<PbLink> Links, byte[]? Data);

/// <summary>dag-pb codec, byte-exact with go-codec-dagpb and @ipld/dag-pb.</summary>
public static class DagPb
{
    /// <summary>
    /// Encodes canonically: every link (Hash, Name, Tsize in that order) and then Data. Links keep the order given;
    /// the spec's sort by name is stable and file chunks all have the empty name, so chunk order is what encoders keep.
    /// </summary>
    public static byte[] Encode(PbNode node)
    {
        var w = new ProtoWriter();
        foreach (var l in node.Links)
        {
            var link = new ProtoWriter();
            link.Bytes(1, l.Hash.Bytes);
            if (l.Name is not null) link.Bytes(2, Encoding.UTF8.GetBytes(l.Name));
            if (l.Tsize is { } t) { link.Key(3, 0); link.Varint(t); }
            w.Bytes(2, link.ToArray());
        }
        if (node.Data is not null) w.Bytes(1, node.Data);
        return w.ToArray();
    }

    /// <summary>Strict decode: rejects unknown fields, wrong wire types, duplicates, Data before Links and links without Hash.</summary>
    public static PbNode Decode(ReadOnlySpan<byte> block)
    {
        var r = new ProtoReader(block);
        var links = new List<PbLink>();
        byte[]? data = null;
        while (!r.End)
        {
            var (field, wt) = r.ReadKey();
            if (wt != 2) throw new FormatException($"dag-pb: PBNode field {field} has wire type {wt}, expected 2");
            if (field == 2)
            {
                if (data is not null) throw new FormatException("dag-pb: PBNode Links after Data");
                links.Add(DecodeLink(r.ReadBytes()));
            }
            else if (field == 1)
            {
                if (data is not null) throw new FormatException("dag-pb: duplicate PBNode Data");
                data = r.ReadBytes().ToArray();
            }
            else throw new FormatException($"dag-pb: unknown PBNode field {field}");
        }
        return new PbNode(links, data);
    }

    private static PbLink DecodeLink(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes);
        Cid? hash = null;
        string? name = null;
        ulong? tsize = null;
        var last = 0;
        while (!r.End)
        {
            var (field, wt) = r.ReadKey();
            if (field <= last) throw new FormatException($"dag-pb: PBLink field {field} out of order or repeated");
            last = field;
            switch (field)
            {
                case 1 when wt == 2: hash = Cid.FromBytes(r.ReadBytes()); break;
                case 2 when wt == 2: name = Encoding.UTF8.GetString(r.ReadBytes()); break;
                case 3 when wt == 0: tsize = r.ReadVarint(); break;
                default: throw new FormatException($"dag-pb: unexpected PBLink field {field} (wire type {wt})");
            }
        }
        if (hash is null) throw new FormatException("dag-pb: PBLink without Hash");
        return new PbLink(hash, name, tsize);
    }
}
