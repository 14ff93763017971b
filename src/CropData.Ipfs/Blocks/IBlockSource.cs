using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>
/// One place a single block can be asked for by CID. Implementations make one attempt and return the bytes as
/// received, unverified: <see cref="BlockFetcher"/> hashes them against the CID, retries and fails over.
/// </summary>
public interface IBlockSource
{
    /// <summary>Kind and address, e.g. <c>kubo-rpc http://127.0.0.1:5001 (block/get)</c>: named in every error and metric.</summary>
    string Name { get; }

    /// <summary>How many block requests may run against this source at once.</summary>
    int MaxConcurrency { get; }

    /// <summary>The block's bytes (unverified). Throws <see cref="IpfsSourceException"/> (NotFound when the source lacks it).</summary>
    Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct);
}
