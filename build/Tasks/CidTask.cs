using CropData.Build.Context;
using CropData.Graph;
using CropData.Ipfs.Import;

namespace CropData.Build.Tasks;

[TaskName("cid")]
[TaskArgument("file", "PATH", "the file whose CID to compute")]
[TaskDescription("Print the CID a Kubo node would give a file (ipfs add --only-hash --cid-version=1), without a node: --file=PATH")]
public sealed class CidTask : FrostingTask<DatasetContext>
{
    public override void Run(DatasetContext c)
    {
        var file = c.Argument("file") ?? throw new BuildUsageException("the cid target needs --file=PATH");
        var full = Path.GetFullPath(file);
        if (!File.Exists(full)) throw new FileNotFoundException($"--file={file}: no such file", full);
        // The CID is the last line of stdout, so scripts can take it with `tail -1`.
        c.Log.Information($"cid: {full} (UnixFS, CIDv1, raw leaves, 256 KiB chunks, 174 links per node)");
        Console.Out.WriteLine(CidCalculator.ForFile(full));
    }
}
