using CropData.Ipfs.Car;
using CropData.Ipfs.Multiformats;
using CropData.Ipfs.Retrieval;

namespace CropData.Ipfs.Blocks;

/// <summary>
/// Blocks of a CAR file or a directory of CARs (CARv1 or CARv2), indexed by multihash once on first use and then read
/// by offset. The bytes are verified by the fetcher like any other source's.
/// </summary>
public sealed class CarBlockSource : IBlockSource, IDisposable
{
    private readonly string _path;
    private readonly Lazy<Task<CarIndex>> _index;

    public CarBlockSource(string carFileOrDirectory, int maxConcurrency = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _path = Path.GetFullPath(carFileOrDirectory);
        MaxConcurrency = maxConcurrency;
        Name = $"local-car {_path}";
        _index = new Lazy<Task<CarIndex>>(() => CarIndex.BuildAsync(_path), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }
    public int MaxConcurrency { get; }

    public async Task<byte[]> GetBlockAsync(Cid cid, IpfsFetchOptions options, CancellationToken ct)
    {
        CarIndex index;
        try
        {
            index = await _index.Value.ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw new IpfsSourceException(SourceFailureKind.Unsupported, $"cannot index the CARs: {e.Message}", e);
        }
        var block = await index.CreateProvider().GetBlockAsync(cid, ct).ConfigureAwait(false)
                    ?? throw new IpfsSourceException(SourceFailureKind.NotFound, $"no CAR under {_path} holds block {cid}");
        return block.ToArray();
    }

    public void Dispose()
    {
        if (_index.IsValueCreated && _index.Value.IsCompletedSuccessfully) _index.Value.Result.Dispose();
    }
}
