using CropData.Ipfs.Car;
using CropData.Ipfs.Export;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

/// <summary>
/// A CAR file or a directory of CARs (the embedded sample, air-gapped mirrors). The CARs are indexed once, on
/// first use; blocks are then read by offset and verified like any other source's. Blocks of other files in the
/// same CARs are expected here and ignored.
/// </summary>
public sealed class LocalCarSource : IIpfsSource, IDisposable
{
    private readonly string _path;
    private readonly Lazy<Task<CarIndex>> _index;

    public LocalCarSource(string carFileOrDirectory, int maxConcurrency = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _path = Path.GetFullPath(carFileOrDirectory);
        MaxConcurrency = maxConcurrency;
        Name = $"local-car {_path}";
        _index = new Lazy<Task<CarIndex>>(() => CarIndex.BuildAsync(_path), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }
    public int MaxConcurrency { get; }

    /// <summary>The index (built on first call).</summary>
    public Task<CarIndex> GetIndexAsync() => _index.Value;

    public async Task<long> FetchAsync(Cid cid, string outputPath, SourceFetchContext context, CancellationToken ct)
    {
        var index = await IndexOrFail().ConfigureAwait(false);
        if (!index.Contains(cid)) throw new IpfsSourceException(SourceFailureKind.NotFound, $"no CAR under {_path} holds block {cid}");
        return await UnixFsExporter.ExportAsync(cid, index.CreateProvider(), outputPath, context.OnBytes, context.Options.MaxFileBytes, ct).ConfigureAwait(false);
    }

    public async Task<SourceCheck> CheckAsync(Cid cid, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var index = await IndexOrFail().ConfigureAwait(false);
            return index.Contains(cid) ? SourceCheck.Yes : SourceCheck.No($"{Name}: no CAR holds block {cid}");
        }
        catch (IpfsSourceException e)
        {
            return SourceCheck.No($"{Name}: {e.Message}");
        }
    }

    internal async Task<CarIndex> IndexOrFail()
    {
        try
        {
            return await _index.Value.ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw new IpfsSourceException(SourceFailureKind.Unsupported, $"cannot index the CARs: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_index.IsValueCreated && _index.Value.IsCompletedSuccessfully) _index.Value.Result.Dispose();
    }
}
