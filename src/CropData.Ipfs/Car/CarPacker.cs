using CropData.Ipfs.Dag;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Car;

/// <summary>
/// Packs files into one CARv1 for the sample generator and air-gapped mirrors. Deterministic: roots are the
/// files' CIDs in the order given; blocks follow each file's DAG depth first (root first, the order of Kubo's
/// dag/export), each block once. Two passes per file: the first computes the DAG and keeps only its dag-pb
/// nodes; the second re-reads the chunks in order, so memory stays at one chunk plus the nodes.
/// </summary>
public static class CarPacker
{
    public static IReadOnlyList<Cid> Pack(IReadOnlyList<string> files, Stream output, ImporterOptions? options = null)
    {
        options ??= ImporterOptions.Kubo;
        var dags = new List<(string Path, Cid Root, Dictionary<MultihashKey, byte[]> Nodes)>();
        foreach (var path in files)
        {
            var nodes = new Dictionary<MultihashKey, byte[]>();
            var result = CidCalculatorWithNodes(path, options, nodes);
            dags.Add((path, result, nodes));
        }
        var roots = dags.Select(d => d.Root).ToList();
        var writer = new CarWriter(output, roots);
        var written = new HashSet<MultihashKey>();
        foreach (var (path, root, nodes) in dags)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            var chunk = new byte[options.ChunkSize];
            long offset = 0;
            Walk(root, (ulong)fs.Length);
            if (offset != fs.Length) throw new IOException($"'{path}' changed while it was packed: the DAG covers {offset} of {fs.Length} bytes");

            void Walk(Cid cid, ulong fileSize)
            {
                if (nodes.TryGetValue(cid.Key, out var block))
                {
                    var pb = DagPb.Decode(block);
                    var fsData = UnixFsData.Decode(pb.Data!);
                    if (!written.Add(cid.Key))
                    {
                        // The whole subtree is already in the CAR (a repeated run of chunks): skip its bytes.
                        offset += (long)fileSize;
                        return;
                    }
                    writer.WriteBlock(cid, block);
                    for (var i = 0; i < pb.Links.Count; i++) Walk(pb.Links[i].Hash, fsData.BlockSizes[i]);
                    return;
                }
                // A leaf: its bytes are the file's next fileSize bytes.
                var n = (int)fileSize;
                fs.Position = offset;
                fs.ReadExactly(chunk, 0, n);
                var (leafCid, leafBlock) = UnixFsFileBuilder.MakeLeaf(options, chunk.AsSpan(0, n));
                if (!leafCid.Equals(cid)) throw new IOException($"'{path}' changed while it was packed: chunk at byte {offset} no longer matches {cid}");
                if (written.Add(cid.Key)) writer.WriteBlock(cid, leafBlock);
                offset += n;
            }
        }
        return roots;
    }

    /// <summary>Packs into a new CAR file; returns the roots (the files' CIDs).</summary>
    public static IReadOnlyList<Cid> PackToFile(IReadOnlyList<string> files, string carPath, ImporterOptions? options = null)
    {
        using var fs = new FileStream(carPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        return Pack(files, fs, options);
    }

    private static Cid CidCalculatorWithNodes(string path, ImporterOptions options, Dictionary<MultihashKey, byte[]> nodes)
    {
        var builder = new UnixFsFileBuilder(options, (cid, block) =>
        {
            // Leaves are re-read from the file in the second pass; only nodes with links are kept.
            if (cid.Codec == Multicodec.DagPb && DagPb.Decode(block.Span).Links.Count > 0) nodes.TryAdd(cid.Key, block.ToArray());
        });
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = fs.Read(buffer, 0, buffer.Length)) > 0) builder.Append(buffer.AsSpan(0, n));
        return builder.Complete().Root;
    }
}
