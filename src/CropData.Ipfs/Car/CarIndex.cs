using CropData.Ipfs.Export;
using CropData.Ipfs.Multiformats;
using Microsoft.Win32.SafeHandles;

namespace CropData.Ipfs.Car;

/// <summary>
/// Where each block of a set of CAR files is: built once by reading every section (block bytes are not kept),
/// then blocks are read by offset. Blocks are matched by multihash; the first CAR (in sorted path order) wins.
/// </summary>
public sealed class CarIndex : IDisposable
{
    private readonly List<string> _files;
    private readonly Dictionary<MultihashKey, (int File, long Offset, int Length)> _entries;
    private readonly SafeFileHandle?[] _handles;
    private readonly Lock _lock = new();

    private CarIndex(List<string> files, Dictionary<MultihashKey, (int, long, int)> entries, IReadOnlyList<Cid> roots)
    {
        _files = files;
        _entries = entries;
        _handles = new SafeFileHandle?[files.Count];
        Roots = roots;
    }

    public IReadOnlyList<string> Files => _files;
    public int BlockCount => _entries.Count;

    /// <summary>Every root named by the CARs' headers, in file order.</summary>
    public IReadOnlyList<Cid> Roots { get; }

    /// <summary>Indexes a CAR file, or every <c>*.car</c> under a directory (recursively, ordinal path order).</summary>
    public static async Task<CarIndex> BuildAsync(string path, CancellationToken ct = default)
    {
        List<string> files;
        if (Directory.Exists(path))
            files = [.. Directory.EnumerateFiles(path, "*.car", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        else if (File.Exists(path)) files = [path];
        else throw new FileNotFoundException($"CAR file or directory '{path}' does not exist", path);

        var entries = new Dictionary<MultihashKey, (int, long, int)>();
        var roots = new List<Cid>();
        for (var i = 0; i < files.Count; i++)
        {
            try
            {
                await using var fs = new FileStream(files[i], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
                await using var reader = await CarReader.OpenAsync(fs, ct: ct).ConfigureAwait(false);
                roots.AddRange(reader.Header.Roots);
                while (await reader.ReadBlockAsync(ct).ConfigureAwait(false) is { } b)
                    entries.TryAdd(b.Cid.Key, (i, b.DataOffset, b.Data.Length));
            }
            catch (Exception e) when (e is FormatException or EndOfStreamException)
            {
                throw new FormatException($"CAR file '{files[i]}' is malformed: {e.Message}", e);
            }
        }
        return new CarIndex(files, entries, roots);
    }

    public bool Contains(Cid cid) => _entries.ContainsKey(cid.Key);

    /// <summary>A provider over this index (one per export: it owns a read buffer).</summary>
    public IBlockProvider CreateProvider() => new Provider(this);

    private SafeFileHandle Handle(int file)
    {
        lock (_lock)
            return _handles[file] ??= File.OpenHandle(_files[file], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    public void Dispose()
    {
        lock (_lock)
            foreach (var h in _handles) h?.Dispose();
    }

    private sealed class Provider(CarIndex index) : IBlockProvider
    {
        private byte[] _buffer = [];

        public async ValueTask<ReadOnlyMemory<byte>?> GetBlockAsync(Cid cid, CancellationToken ct)
        {
            if (!index._entries.TryGetValue(cid.Key, out var e)) return null;
            if (_buffer.Length < e.Length) _buffer = new byte[e.Length];
            var n = 0;
            while (n < e.Length)
            {
                var r = await RandomAccess.ReadAsync(index.Handle(e.File), _buffer.AsMemory(n, e.Length - n), e.Offset + n, ct).ConfigureAwait(false);
                if (r == 0) throw new IOException($"CAR file '{index._files[e.File]}' shrank after it was indexed");
                n += r;
            }
            return _buffer.AsMemory(0, e.Length);
        }
    }
}
