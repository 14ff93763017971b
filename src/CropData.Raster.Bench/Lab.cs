using System.Diagnostics;
using CropData.Gdal;

namespace CropData.Raster.Bench;

internal static class Lab
{
    public static void Run(string path, RasterGrid grid, Resampling r, GridTransform mode)
    {
        var sw = Stopwatch.StartNew();
        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
        var whole = mode == GridTransform.Approximate
            ? new WarpOptions { Resampling = r }
            : new WarpOptions { Resampling = r, ExactTransform = true, FixedScale = true };
        using var a = Warp.ToMemory(path, grid, whole);
        Console.WriteLine($"{Path.GetFileName(path)} {mode}: app whole warp {sw.ElapsedMilliseconds} ms wall, {Cpu(c0)} ms cpu");
        sw.Restart(); c0 = Process.GetCurrentProcess().TotalProcessorTime;
        using var w = GridWindowWarper.Open(path, grid, r, mode);
        Console.WriteLine($"  open+layout {sw.ElapsedMilliseconds} ms wall, {Cpu(c0)} ms cpu, chunks {w.ChunkCount}");
        sw.Restart(); c0 = Process.GetCurrentProcess().TotalProcessorTime;
        int n = 0, bad = 0;
        for (var y = 0; y + 224 <= grid.Height; y += 224)
            for (var x = 0; x + 224 <= grid.Width; x += 224)
            {
                bool same;
                if (a.DataType(1) == RasterDataType.Int16)
                    same = a.ReadWindow<short>(1, x, y, 224, 224).AsSpan().SequenceEqual(w.Warp<short>(x, y, 224, 224));
                else
                    same = a.ReadWindow<byte>(1, x, y, 224, 224).AsSpan().SequenceEqual(w.Warp<byte>(x, y, 224, 224));
                n++;
                if (!same) { bad++; if (bad < 10) Console.WriteLine($"  window {x},{y} differs"); }
            }
        Console.WriteLine($"  {n} windows in {sw.ElapsedMilliseconds} ms wall, {Cpu(c0)} ms cpu; differing {bad}");
    }

    private static string Cpu(TimeSpan c0) => (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds.ToString("F0");
}
