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

/// <summary>
/// A block source that can also send, in one response, the blocks that hold a byte range of a UnixFS file (a trustless
/// gateway's <c>?format=car&amp;dag-scope=entity&amp;entity-bytes=FROM:TO</c>). The blocks are passed on as received,
/// unverified and in any order, possibly with blocks not asked for: <see cref="BlockFetcher"/> hashes each one it uses
/// against the CID it expects and asks for the rest block by block.
/// </summary>
public interface IRangeBlockSource : IBlockSource
{
    /// <summary>Name of the range endpoint in errors and metrics, e.g. <c>trustless-gateway http://gw (format=car entity-bytes)</c>.</summary>
    string RangeName { get; }

    /// <summary>
    /// The blocks the source sends for bytes <paramref name="from"/>..<paramref name="to"/> (inclusive) of the file
    /// <paramref name="file"/>. Each block's data is valid until the next one is asked for. Throws
    /// <see cref="IpfsSourceException"/> before the first block when the request fails (Unsupported when the source does
    /// not serve such ranges), and an exception at the point where a stream breaks or is malformed, after the blocks
    /// that arrived whole.
    /// </summary>
    IAsyncEnumerable<Car.CarBlock> GetRangeAsync(Cid file, long from, long to, IpfsFetchOptions options, CancellationToken ct);
}
