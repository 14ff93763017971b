using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;
using Microsoft.Win32.SafeHandles;

namespace CropData.Ipfs.Export;

/// <summary>
/// Rebuilds a UnixFS file from its blocks, depth first, writing each leaf at its offset as soon as it is verified.
/// Every block's bytes are hashed against the CID that links to it, and every node's sizes are checked: its
/// UnixFS filesize must equal its inline data plus its blocksizes, and each child must deliver exactly the
/// blocksize its parent declares. Memory holds the dag-pb nodes (about 7 KB per 174 chunks) and one leaf at a time.
/// </summary>
public sealed class UnixFsExporter
{
    private const int MaxDepth = 64;
    private readonly Cid _root;
    private readonly IBlockProvider _blocks;
    private readonly SafeFileHandle _file;
    private readonly Action<long>? _onBytes;
    private readonly long _maxFileSize;
    private readonly Dictionary<MultihashKey, (long Offset, int Length)> _leaves = [];
    private readonly Dictionary<MultihashKey, byte[]> _nodes = [];
    private long _offset;
    private byte[] _copyBuffer = [];

    private UnixFsExporter(Cid root, IBlockProvider blocks, SafeFileHandle file, Action<long>? onBytes, long maxFileSize)
    {
        _root = root;
        _blocks = blocks;
        _file = file;
        _onBytes = onBytes;
        _maxFileSize = maxFileSize;
    }

    /// <summary>Writes the file named by <paramref name="root"/> to <paramref name="outputPath"/> (created or truncated); returns its length.</summary>
    /// <exception cref="CidVerificationException">a block is missing, does not hash to its CID, or the DAG is not a consistent UnixFS file.</exception>
    public static async Task<long> ExportAsync(Cid root, IBlockProvider blocks, string outputPath, Action<long>? onBytes = null,
        long maxFileSize = long.MaxValue, CancellationToken ct = default)
    {
        using var file = File.OpenHandle(outputPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var exporter = new UnixFsExporter(root, blocks, file, onBytes, maxFileSize);
        var size = await exporter.VisitAsync(root, null, null, 0, ct).ConfigureAwait(false);
        if ((ulong)exporter._offset != size) throw new CidVerificationException(root, $"wrote {exporter._offset} bytes but the DAG declares {size}");
        return exporter._offset;
    }

    private async Task<ulong> VisitAsync(Cid cid, ulong? expected, Cid? parent, int depth, CancellationToken ct)
    {
        if (depth > MaxDepth) throw Fail($"the DAG is deeper than {MaxDepth} levels at block {cid}");
        var key = cid.Key;
        if (cid.Codec == Multicodec.Raw)
        {
            if (_leaves.TryGetValue(key, out var seen))
            {
                // A repeated chunk (nodata runs in GeoTIFFs repeat a lot): copy the verified bytes already written.
                CheckSize(cid, parent, expected, (ulong)seen.Length);
                await CopyWithinAsync(seen.Offset, seen.Length, ct).ConfigureAwait(false);
                return (ulong)seen.Length;
            }
            var data = await GetVerifiedAsync(cid, parent, ct).ConfigureAwait(false);
            CheckSize(cid, parent, expected, (ulong)data.Length);
            CheckLimit((ulong)data.Length);
            _leaves[key] = (_offset, data.Length);
            await WriteAsync(data, ct).ConfigureAwait(false);
            return (ulong)data.Length;
        }
        if (cid.Codec != Multicodec.DagPb)
            throw Fail($"block {cid} has codec {Multicodec.Name(cid.Codec)}; a UnixFS file is made of dag-pb and raw blocks");

        if (!_nodes.TryGetValue(key, out var block))
        {
            block = (await GetVerifiedAsync(cid, parent, ct).ConfigureAwait(false)).ToArray();
            _nodes[key] = block;
        }
        PbNode node;
        UnixFsData fs;
        try
        {
            node = DagPb.Decode(block);
            if (node.Data is null) throw new FormatException("the dag-pb node has no Data, so it is not UnixFS");
            fs = UnixFsData.Decode(node.Data);
        }
        catch (FormatException e)
        {
            throw Fail($"block {cid} is not a valid UnixFS node: {e.Message}", e);
        }
        if (fs.Type is not (UnixFsType.File or UnixFsType.Raw))
            throw Fail($"block {cid} is a UnixFS {fs.Type}, expected a file");
        if (node.Links.Count != fs.BlockSizes.Count)
            throw Fail($"block {cid} has {node.Links.Count} links but {fs.BlockSizes.Count} blocksizes");
        ulong total = (ulong)(fs.Data?.Length ?? 0);
        foreach (var s in fs.BlockSizes)
        {
            total += s;
            if (total < s) throw Fail($"block {cid} declares blocksizes that overflow");
        }
        if (fs.FileSize is { } declared && declared != total)
            throw Fail($"block {cid} declares filesize {declared} but its data and blocksizes add up to {total}");
        CheckSize(cid, parent, expected, total);
        CheckLimit(total);

        if (fs.Data is { Length: > 0 }) await WriteAsync(fs.Data, ct).ConfigureAwait(false);
        for (var i = 0; i < node.Links.Count; i++)
            await VisitAsync(node.Links[i].Hash, fs.BlockSizes[i], cid, depth + 1, ct).ConfigureAwait(false);
        return total;
    }

    private async ValueTask<ReadOnlyMemory<byte>> GetVerifiedAsync(Cid cid, Cid? parent, CancellationToken ct)
    {
        // An identity CID (Kubo --inline, "bafkq…") carries its block: no source is asked, nothing can differ.
        if (cid.IsIdentity) return cid.Digest.ToArray();
        var data = await _blocks.GetBlockAsync(cid, ct).ConfigureAwait(false)
                   ?? throw Fail(parent is null ? $"root block {cid} is missing" : $"block {cid} (linked from {parent}) is missing");
        bool ok;
        try { ok = cid.Matches(data.Span); }
        catch (NotSupportedException e) { throw Fail(e.Message, e); }
        if (!ok) throw Fail($"block {cid} has {data.Length} bytes that do not hash to its CID");
        return data;
    }

    private void CheckSize(Cid cid, Cid? parent, ulong? expected, ulong actual)
    {
        if (expected is { } e && e != actual)
            throw Fail($"block {cid} holds {actual} bytes of file data but its parent {parent} declares {e}");
    }

    private void CheckLimit(ulong more)
    {
        if ((ulong)_offset + more > (ulong)_maxFileSize) throw Fail($"the file is larger than the {_maxFileSize}-byte limit");
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await RandomAccess.WriteAsync(_file, data, _offset, ct).ConfigureAwait(false);
        _offset += data.Length;
        _onBytes?.Invoke(_offset);
    }

    private async ValueTask CopyWithinAsync(long from, int length, CancellationToken ct)
    {
        if (_copyBuffer.Length < length) _copyBuffer = new byte[length];
        var buffer = _copyBuffer.AsMemory(0, length);
        var n = 0;
        while (n < length)
        {
            var r = await RandomAccess.ReadAsync(_file, buffer[n..], from + n, ct).ConfigureAwait(false);
            if (r == 0) throw new IOException("output file shrank while being written");
            n += r;
        }
        await WriteAsync(buffer, ct).ConfigureAwait(false);
    }

    private CidVerificationException Fail(string message, Exception? inner = null) => new(_root, message, inner);
}
