using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>
/// Blocks of a CAR file or a directory of CARs (CARv1 or CARv2), through the same index as the whole-file
/// <see cref="LocalCarSource"/> (built once on first use, blocks read by offset). The bytes are verified by the
/// fetcher like any other source's.
/// </summary>
public sealed class CarBlockSource(string carFileOrDirectory, int maxConcurrency = 4) : IBlockSource, IDisposable
{
    private readonly LocalCarSource _cars = new(carFileOrDirectory, maxConcurrency);

    public string Name => _cars.Name;
    public int MaxConcurrency => _cars.MaxConcurrency;

    public async Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct)
    {
        var index = await _cars.IndexOrFail().ConfigureAwait(false);
        var block = await index.CreateProvider().GetBlockAsync(cid, ct).ConfigureAwait(false)
                    ?? throw new IpfsSourceException(SourceFailureKind.NotFound, $"no CAR of {Name} holds block {cid}");
        return block.ToArray();
    }

    public void Dispose() => _cars.Dispose();
}
