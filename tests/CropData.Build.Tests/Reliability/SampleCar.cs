using System.Text.Json.Nodes;
using CropData.Ipfs.Car;
using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;

namespace CropData.Build.Tests.Reliability;

/// <summary>One band file of the sample: its scene, band, CID and real bytes.</summary>
public sealed record SampleBand(string Scene, string Band, string Cid, byte[] Bytes)
{
    public string FileName => $"{Scene}.{Band}.tif";
}

/// <summary>
/// The sample's CAR read into memory (every block by CID) and the Easier catalog's scene/band → CID map: real bytes
/// for local test gateways, and DAG-ordered block lists to build well-formed and broken CARs from.
/// </summary>
public sealed class SampleCar
{
    private readonly Dictionary<string, byte[]> _blocks = new(StringComparer.Ordinal);

    public IReadOnlyList<SampleBand> Bands { get; }

    public SampleCar(string inputs)
    {
        using (var stream = File.OpenRead(Path.Combine(inputs, "ipfs", "sample.car")))
        using (var reader = CarReader.OpenAsync(stream).GetAwaiter().GetResult())
        {
            while (reader.ReadBlockAsync().AsTask().GetAwaiter().GetResult() is { } block)
                _blocks[block.Cid.ToString()] = block.Data.ToArray();
        }
        var bands = new List<SampleBand>();
        foreach (var item in Directory.EnumerateFiles(Path.Combine(inputs, "stac", "easier"), "HLS.*.json", SearchOption.AllDirectories))
        {
            var json = JsonNode.Parse(File.ReadAllText(item))!;
            var scene = (string)json["id"]!;
            // The bands the default build fetches: the three selected scenes (not the fourth, for 4 dates per chip).
            if (!CropData.Sample.SampleGenerator.RealScenes.Contains(scene)) continue;
            foreach (var (band, asset) in json["assets"]!.AsObject())
            {
                var href = (string?)asset?["alternate"]?["IPFS"]?["href"];
                if (href is null) continue;
                var cid = href[(href.LastIndexOf('/') + 1)..];
                bands.Add(new SampleBand(scene, band, cid, FileBytes(Cid.Parse(cid))));
            }
        }
        Bands = bands.OrderBy(b => b.Scene, StringComparer.Ordinal).ThenBy(b => b.Band, StringComparer.Ordinal).ToList();
    }

    public SampleBand Band(string cid) => Bands.Single(b => b.Cid == cid);

    public byte[] Block(Cid cid) => _blocks[cid.ToString()];

    /// <summary>The file a UnixFS DAG holds (raw leaves concatenated in link order).</summary>
    public byte[] FileBytes(Cid root)
    {
        var output = new MemoryStream();
        void Walk(Cid c)
        {
            var block = Block(c);
            if (c.Codec == Multicodec.Raw) { output.Write(block); return; }
            foreach (var link in DagPb.Decode(block).Links) Walk(link.Hash);
        }
        Walk(root);
        return output.ToArray();
    }

    /// <summary>The DAG's blocks in depth-first order (what a trustless gateway sends for dag-scope=all).</summary>
    public List<(Cid Cid, byte[] Data)> DagBlocks(Cid root)
    {
        var list = new List<(Cid, byte[])>();
        void Walk(Cid c)
        {
            var block = Block(c);
            list.Add((c, block));
            if (c.Codec == Multicodec.DagPb)
                foreach (var link in DagPb.Decode(block).Links) Walk(link.Hash);
        }
        Walk(root);
        return list;
    }

    public static byte[] Car(Cid root, IEnumerable<(Cid Cid, byte[] Data)> blocks)
    {
        var ms = new MemoryStream();
        var writer = new CarWriter(ms, [root]);
        foreach (var (cid, data) in blocks) writer.WriteBlock(cid, data);
        return ms.ToArray();
    }
}
