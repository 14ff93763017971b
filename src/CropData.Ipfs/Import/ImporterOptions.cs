namespace CropData.Ipfs.Import;

/// <summary>
/// How a file is cut into a UnixFS DAG. Only fixed-size chunking and the balanced layout exist here: that is what
/// every CID in the HLS band catalogue uses, and the defaults of Kubo, js-ipfs and Helia differ only in the numbers.
/// </summary>
public sealed record ImporterOptions(string Name, int ChunkSize, int MaxLinks, bool RawLeaves, int CidVersion)
{
    /// <summary><c>ipfs add --cid-version=1</c> (Kubo, js-ipfs): 256 KiB chunks, 174 links per node, raw leaves.</summary>
    public static ImporterOptions Kubo { get; } = new("kubo-cidv1", 256 * 1024, 174, RawLeaves: true, CidVersion: 1);

    /// <summary><c>ipfs add</c> (CIDv0): 256 KiB chunks, 174 links, leaves are dag-pb UnixFS File nodes.</summary>
    public static ImporterOptions KuboV0 { get; } = new("kubo-cidv0", 256 * 1024, 174, RawLeaves: false, CidVersion: 0);

    /// <summary>Helia's and ipfs-car's defaults: 1 MiB chunks, 1024 links, raw leaves, CIDv1.</summary>
    public static ImporterOptions Helia { get; } = new("helia-default", 1024 * 1024, 1024, RawLeaves: true, CidVersion: 1);

    public void Validate()
    {
        if (ChunkSize is < 1 or > 4 * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "chunk size must be 1 B..4 MiB");
        if (MaxLinks < 2) throw new ArgumentOutOfRangeException(nameof(MaxLinks), MaxLinks, "a node needs room for at least 2 links");
        if (CidVersion is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(CidVersion), CidVersion, "CID version must be 0 or 1");
        if (CidVersion == 0 && RawLeaves) throw new ArgumentException("raw leaves need CIDv1 (a CIDv0 can only name dag-pb)");
    }
}
