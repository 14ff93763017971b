using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Export;

/// <summary>Gives a block's bytes by CID (matched by multihash). The bytes are unverified: the exporter checks them.</summary>
public interface IBlockProvider
{
    /// <summary>The block's bytes, or null when this provider does not have it. The memory is valid until the next call.</summary>
    ValueTask<ReadOnlyMemory<byte>?> GetBlockAsync(Cid cid, CancellationToken ct);
}
