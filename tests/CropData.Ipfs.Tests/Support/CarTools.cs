using CropData.Ipfs.Car;
using CropData.Ipfs.Export;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Tests.Support;

/// <summary>Reads, edits and re-writes CARs for the tampering tests, and exports through the streaming verifier.</summary>
public static class CarTools
{
    public static async Task<(IReadOnlyList<Cid> Roots, List<(Cid Cid, byte[] Data)> Blocks)> ReadAllAsync(byte[] car)
    {
        await using var r = await CarReader.OpenAsync(new MemoryStream(car));
        var blocks = new List<(Cid, byte[])>();
        while (await r.ReadBlockAsync() is { } b) blocks.Add((b.Cid, b.Data.ToArray()));
        return (r.Header.Roots, blocks);
    }

    public static byte[] Write(IReadOnlyList<Cid> roots, IEnumerable<(Cid Cid, byte[] Data)> blocks)
    {
        var ms = new MemoryStream();
        var w = new CarWriter(ms, roots);
        foreach (var (c, d) in blocks) w.WriteBlock(c, d);
        return ms.ToArray();
    }

    /// <summary>Exports the file of <paramref name="root"/> from a CAR held in memory, as a network source would.</summary>
    public static async Task<(long Size, long Spilled)> ExportAsync(byte[] car, Cid root, string outputPath)
    {
        await using var r = await CarReader.OpenAsync(new MemoryStream(car));
        await using var p = new CarStreamBlockProvider(r, root, outputPath + ".spill");
        var n = await UnixFsExporter.ExportAsync(root, p, outputPath);
        await p.FinishAsync(default);
        return (n, p.BlocksSpilled);
    }
}
