using CropData.Ipfs.Dag;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Import;

/// <summary>Root CID of an imported file, its byte length and the cumulative size of all its blocks (Kubo's Tsize).</summary>
public sealed record ImportResult(Cid Root, long FileSize, ulong DagSize);

/// <summary>
/// Push-style UnixFS importer with a balanced layout. Memory is one chunk plus at most MaxLinks pending links per
/// tree level. Parents are formed exactly as js-ipfs's balanced builder does (consecutive groups of MaxLinks, level
/// by level, a lone group still getting its parent), which is also the tree go-unixfs's balanced layout fills; a
/// single-chunk file's root is its leaf, so files up to one chunk are raw blocks (bafkrei…) under CIDv1.
/// </summary>
public sealed class UnixFsFileBuilder
{
    private readonly ImporterOptions _options;
    private readonly Action<Cid, ReadOnlyMemory<byte>>? _onBlock;
    private readonly byte[] _chunk;
    private readonly List<List<Node>> _levels = [[]];
    private int _chunkFill;
    private long _fileSize;
    private bool _completed;

    private readonly record struct Node(Cid Cid, ulong FileSize, ulong Tsize);

    /// <param name="onBlock">Receives every block as it is made (leaves first, root last); the memory is only valid during the call.</param>
    public UnixFsFileBuilder(ImporterOptions? options = null, Action<Cid, ReadOnlyMemory<byte>>? onBlock = null)
    {
        _options = options ?? ImporterOptions.Kubo;
        _options.Validate();
        _onBlock = onBlock;
        _chunk = new byte[_options.ChunkSize];
    }

    public ImporterOptions Options => _options;
    public long BytesAppended => _fileSize;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_completed) throw new InvalidOperationException("the builder is already completed");
        _fileSize += data.Length;
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, _chunk.Length - _chunkFill);
            data[..n].CopyTo(_chunk.AsSpan(_chunkFill));
            _chunkFill += n;
            data = data[n..];
            if (_chunkFill == _chunk.Length) EmitLeaf();
        }
    }

    public ImportResult Complete()
    {
        if (_completed) throw new InvalidOperationException("the builder is already completed");
        _completed = true;
        // An empty file is one empty leaf; otherwise a final partial chunk is a leaf of its own.
        if (_chunkFill > 0 || (_fileSize == 0 && _levels[0].Count == 0)) EmitLeaf();
        for (var k = 0; ; k++)
        {
            if (k == _levels.Count - 1 && _levels[k].Count == 1)
            {
                var root = _levels[k][0];
                return new ImportResult(root.Cid, _fileSize, root.Tsize);
            }
            if (_levels[k].Count > 0) EmitParent(k);
        }
    }

    /// <summary>The leaf block for one chunk under these options (shared with the CAR packer, which re-reads chunks).</summary>
    internal static (Cid Cid, byte[] Block) MakeLeaf(ImporterOptions options, ReadOnlySpan<byte> chunk)
    {
        if (options.RawLeaves) return (Cid.Compute(chunk, Multicodec.Raw, 1), chunk.ToArray());
        var block = MakeDagPbLeaf(chunk);
        return (Cid.Compute(block, Multicodec.DagPb, options.CidVersion), block);
    }

    private static byte[] MakeDagPbLeaf(ReadOnlySpan<byte> chunk)
    {
        // go-unixfs and js-ipfs leave the Data field out of an empty file's node but always write filesize.
        var fs = new UnixFsData(UnixFsType.File, chunk.IsEmpty ? null : chunk.ToArray(), (ulong)chunk.Length, []);
        return DagPb.Encode(new PbNode([], fs.Encode()));
    }

    private void EmitLeaf()
    {
        var chunk = _chunk.AsMemory(0, _chunkFill);
        Node node;
        if (_options.RawLeaves)
        {
            var cid = Cid.Compute(chunk.Span, Multicodec.Raw, 1);
            _onBlock?.Invoke(cid, chunk);
            node = new Node(cid, (ulong)chunk.Length, (ulong)chunk.Length);
        }
        else
        {
            var block = MakeDagPbLeaf(chunk.Span);
            var cid = Cid.Compute(block, Multicodec.DagPb, _options.CidVersion);
            _onBlock?.Invoke(cid, block);
            node = new Node(cid, (ulong)chunk.Length, (ulong)block.Length);
        }
        _chunkFill = 0;
        Add(0, node);
    }

    private void Add(int level, Node node)
    {
        if (_levels.Count == level) _levels.Add([]);
        _levels[level].Add(node);
        if (_levels[level].Count == _options.MaxLinks) EmitParent(level);
    }

    private void EmitParent(int level)
    {
        var children = _levels[level];
        var links = new PbLink[children.Count];
        var sizes = new ulong[children.Count];
        ulong fileSize = 0, tsize = 0;
        for (var i = 0; i < children.Count; i++)
        {
            // Name is the empty string, not absent: both go-unixfs and js-ipfs write it, and it changes the CID.
            links[i] = new PbLink(children[i].Cid, "", children[i].Tsize);
            sizes[i] = children[i].FileSize;
            fileSize += children[i].FileSize;
            tsize += children[i].Tsize;
        }
        var data = new UnixFsData(UnixFsType.File, null, fileSize, sizes).Encode();
        var block = DagPb.Encode(new PbNode(links, data));
        var cid = Cid.Compute(block, Multicodec.DagPb, _options.CidVersion);
        _onBlock?.Invoke(cid, block);
        children.Clear();
        Add(level + 1, new Node(cid, fileSize, tsize + (ulong)block.Length));
    }
}
