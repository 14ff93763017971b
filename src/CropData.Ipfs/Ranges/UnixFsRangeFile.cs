using System.Collections.Concurrent;
using CropData.Ipfs.Blocks;
using CropData.Ipfs.Dag;
using CropData.Ipfs.Export;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Ranges;

/// <summary>
/// A UnixFS file read by byte ranges from verified blocks. Opening fetches the root; a read walks the DAG from the root
/// (dag-pb nodes fetched once and kept, their <c>blocksizes</c> giving each child's byte offset) down to the leaves
/// that cover the range, fetches only those, and copies the bytes asked for. Every block comes from
/// <see cref="BlockFetcher"/>, which hashes it against the CID its parent links to, and every node's sizes are checked
/// as <see cref="UnixFsExporter"/> does (filesize = inline data + blocksizes; each child holds exactly its blocksize):
/// no byte that does not belong to the file named by <see cref="Root"/> is ever served. The leaves a read needs are
/// asked of the fetcher together (<see cref="BlockFetcher.GetLeavesAsync"/>): adjacent ones may come from a trustless
/// gateway in one CAR response, each still hashed against its CID.
/// </summary>
public sealed class UnixFsRangeFile
{
    private const int MaxDepth = 64;
    private const int RecentLeaves = 16;
    private readonly BlockFetcher _blocks;
    private readonly ConcurrentDictionary<MultihashKey, Task<FileNode>> _nodes = new();
    private readonly LinkedList<(long Start, ReadOnlyMemory<byte> Data)> _recent = new();
    private long _bytesServed, _leafBytes, _leaves;

    private UnixFsRangeFile(Cid root, BlockFetcher blocks, FileNode? rootNode, ReadOnlyMemory<byte>? rawRoot, long length)
    {
        Root = root;
        _blocks = blocks;
        Length = length;
        if (rootNode is not null) _nodes[root.Key] = Task.FromResult(rootNode);
        if (rawRoot is { } r) _recent.AddFirst((0, r));
    }

    public Cid Root { get; }
    public long Length { get; }

    /// <summary>Bytes handed to readers, and bytes of the distinct leaf fetches behind them (each leaf counted each time it is fetched).</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);
    public long LeafBytesRead => Interlocked.Read(ref _leafBytes);
    public long LeavesRead => Interlocked.Read(ref _leaves);

    /// <summary>Fetches and checks the root block. Throws <see cref="CidVerificationException"/> for a DAG that is not a UnixFS file.</summary>
    public static async Task<UnixFsRangeFile> OpenAsync(Cid root, BlockFetcher blocks, CancellationToken ct = default)
    {
        if (root.Codec == Multicodec.Raw)
        {
            var data = await blocks.GetAsync(root, ct).ConfigureAwait(false);
            return new UnixFsRangeFile(root, blocks, null, data, data.Length);
        }
        var node = await LoadNodeAsync(root, root, blocks, ct).ConfigureAwait(false);
        return new UnixFsRangeFile(root, blocks, node, null, node.Length);
    }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns how many (fewer only at the end of the file).</summary>
    public async Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var count = (int)Math.Clamp(Length - offset, 0, buffer.Length);
        if (count == 0) return 0;
        await ReadRangesAsync([(offset, buffer[..count])], ct).ConfigureAwait(false);
        return count;
    }

    /// <summary>
    /// Fills each buffer with the bytes at its offset (every range must lie inside the file); the leaves of all ranges
    /// are fetched together. Returns the leaves (file offset and length; inline data counts as a leaf) the read used.
    /// </summary>
    public async Task<IReadOnlyList<(long Start, long Length)>> ReadRangesAsync(IReadOnlyList<(long Offset, Memory<byte> Buffer)> ranges, CancellationToken ct = default)
    {
        foreach (var (offset, buffer) in ranges)
            if (offset < 0 || offset + buffer.Length > Length)
                throw new ArgumentOutOfRangeException(nameof(ranges), $"{Root}: bytes {offset}..{offset + buffer.Length} are outside the file's {Length} bytes");
        var segments = new Dictionary<long, Segment>();
        if (Root.Codec == Multicodec.Raw) segments[0] = new Segment(Root, Root, 0, Length, default);
        else
            foreach (var (offset, buffer) in ranges)
                if (buffer.Length > 0)
                    await CollectAsync(Root, 0, Length, offset, offset + buffer.Length, segments, 0, ct).ConfigureAwait(false);
        var bySegment = await LeavesAsync([.. segments.Values.OrderBy(s => s.Start)], ct).ConfigureAwait(false);
        foreach (var (offset, buffer) in ranges)
        {
            foreach (var (seg, data) in bySegment)
            {
                var from = Math.Max(offset, seg.Start);
                var to = Math.Min(offset + buffer.Length, seg.Start + seg.Length);
                if (from < to) data.Slice((int)(from - seg.Start), (int)(to - from)).CopyTo(buffer[(int)(from - offset)..]);
            }
            Interlocked.Add(ref _bytesServed, buffer.Length);
        }
        return [.. segments.Values.Select(seg => (seg.Start, seg.Length))];
    }

    /// <summary>A leaf (raw block, or a node's inline data) at a file offset.</summary>
    private sealed record Segment(Cid? Leaf, Cid Parent, long Start, long Length, ReadOnlyMemory<byte> Inline);

    private sealed record FileNode(Cid Cid, long Length, byte[] Inline, IReadOnlyList<(Cid Child, long Offset, long Length)> Children);

    private async Task CollectAsync(Cid cid, long start, long length, long from, long to, Dictionary<long, Segment> into, int depth, CancellationToken ct)
    {
        if (depth > MaxDepth) throw Fail($"the DAG is deeper than {MaxDepth} levels at block {cid}");
        var load = _nodes.GetOrAdd(cid.Key, _ => LoadNodeAsync(Root, cid, _blocks, ct));
        FileNode node;
        try { node = await load.ConfigureAwait(false); }
        catch
        {
            _nodes.TryRemove(new KeyValuePair<MultihashKey, Task<FileNode>>(cid.Key, load));   // a failed fetch is tried again by the next read
            throw;
        }
        if (node.Length != length) throw Fail($"block {cid} holds {node.Length} bytes of file data but its parent declares {length}");
        if (node.Inline.Length > 0 && start < to && start + node.Inline.Length > from)
            into.TryAdd(start, new Segment(null, cid, start, node.Inline.Length, node.Inline));
        foreach (var (child, offset, size) in node.Children)
        {
            var s = start + offset;
            if (s >= to || s + size <= from || size == 0) continue;
            if (child.Codec == Multicodec.Raw) into.TryAdd(s, new Segment(child, cid, s, size, default));
            else if (child.Codec == Multicodec.DagPb) await CollectAsync(child, s, size, from, to, into, depth + 1, ct).ConfigureAwait(false);
            else throw Fail($"block {child} (linked from {cid}) has codec {Multicodec.Name(child.Codec)}; a UnixFS file is made of dag-pb and raw blocks");
        }
    }

    /// <summary>
    /// The bytes of each segment: inline data, a recently read leaf, or a leaf from the fetcher. The leaves are asked for
    /// together, so that a source serving ranges can send adjacent ones in one response.
    /// </summary>
    private async Task<List<(Segment Segment, ReadOnlyMemory<byte> Data)>> LeavesAsync(List<Segment> segments, CancellationToken ct)
    {
        var datas = new ReadOnlyMemory<byte>[segments.Count];
        var toFetch = new List<int>();
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            if (s.Leaf is null) datas[i] = s.Inline;
            else if (Recent(s.Start) is { } recent) datas[i] = recent;
            else toFetch.Add(i);
        }
        if (toFetch.Count > 0)
        {
            var fetched = await _blocks.GetLeavesAsync(Root, [.. toFetch.Select(i => new FileLeaf(segments[i].Leaf!, segments[i].Start, segments[i].Length))], ct)
                .ConfigureAwait(false);
            for (var j = 0; j < toFetch.Count; j++)
            {
                var s = segments[toFetch[j]];
                var data = fetched[j];
                if (data.Length != s.Length) throw Fail($"block {s.Leaf} holds {data.Length} bytes of file data but its parent {s.Parent} declares {s.Length}");
                Interlocked.Increment(ref _leaves);
                Interlocked.Add(ref _leafBytes, data.Length);
                lock (_recent)
                {
                    _recent.AddFirst((s.Start, data));
                    while (_recent.Count > RecentLeaves) _recent.RemoveLast();
                }
                datas[toFetch[j]] = data;
            }
        }
        return [.. segments.Zip(datas)];
    }

    private ReadOnlyMemory<byte>? Recent(long start)
    {
        lock (_recent)
            for (var n = _recent.First; n is not null; n = n.Next)
                if (n.Value.Start == start)
                {
                    _recent.Remove(n);
                    _recent.AddFirst(n);
                    return n.Value.Data;
                }
        return null;
    }

    private static async Task<FileNode> LoadNodeAsync(Cid root, Cid cid, BlockFetcher blocks, CancellationToken ct)
    {
        if (cid.Codec != Multicodec.DagPb)
            throw new CidVerificationException(root, $"block {cid} has codec {Multicodec.Name(cid.Codec)}; a UnixFS file is made of dag-pb and raw blocks");
        var block = await blocks.GetAsync(cid, ct).ConfigureAwait(false);
        PbNode node;
        UnixFsData fs;
        try
        {
            node = DagPb.Decode(block.Span);
            if (node.Data is null) throw new FormatException("the dag-pb node has no Data, so it is not UnixFS");
            fs = UnixFsData.Decode(node.Data);
        }
        catch (FormatException e)
        {
            throw new CidVerificationException(root, $"block {cid} is not a valid UnixFS node: {e.Message}", e);
        }
        if (fs.Type is not (UnixFsType.File or UnixFsType.Raw))
            throw new CidVerificationException(root, $"block {cid} is a UnixFS {fs.Type}, expected a file");
        if (node.Links.Count != fs.BlockSizes.Count)
            throw new CidVerificationException(root, $"block {cid} has {node.Links.Count} links but {fs.BlockSizes.Count} blocksizes");
        var inline = fs.Data ?? [];
        var children = new List<(Cid, long, long)>(node.Links.Count);
        ulong total = (ulong)inline.Length;
        for (var i = 0; i < node.Links.Count; i++)
        {
            var size = fs.BlockSizes[i];
            if (size > long.MaxValue || total + size < total || total + size > long.MaxValue)
                throw new CidVerificationException(root, $"block {cid} declares blocksizes that overflow");
            children.Add((node.Links[i].Hash, (long)total, (long)size));
            total += size;
        }
        if (fs.FileSize is { } declared && declared != total)
            throw new CidVerificationException(root, $"block {cid} declares filesize {declared} but its data and blocksizes add up to {total}");
        return new FileNode(cid, (long)total, inline, children);
    }

    private CidVerificationException Fail(string message) => new(Root, message);
}
