using System.Diagnostics;
using CropData.Gdal;

namespace CropData.Raster.Bench;

internal static class Lab4
{
    public static void Run(string path, RasterGrid grid)
    {
        for (var i = 0; i < 3; i++)
        {
            GridWindowWarper.ClearLayoutCache();
            var sw = Stopwatch.StartNew();
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            using var w = GridWindowWarper.Open(path, grid, Resampling.Bilinear, GridTransform.Approximate);
            Console.WriteLine($"open+layout {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds:F0} ms cpu");
            sw.Restart(); c0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (var k = 0; k < 20; k++) w.Warp<short>(3000 + 224 * (k % 5), 3000 + 224 * (k / 5), 224, 224);
            Console.WriteLine($"20 interior windows {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds:F0} ms cpu");
        }
    }
}
