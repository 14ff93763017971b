using CropData.Gdal;

namespace CropData.Raster.Bench;

internal static class Lab2
{
    public static void Run(string path, RasterGrid grid, int x, int y)
    {
        using var a = Warp.ToMemory(path, grid, new WarpOptions { Resampling = Resampling.Bilinear });
        using var w = GridWindowWarper.Open(path, grid, Resampling.Bilinear, GridTransform.Approximate);
        var want = a.ReadWindow<short>(1, x, y, 224, 224);
        var got = w.Warp<short>(x, y, 224, 224);
        var n = 0;
        for (var i = 0; i < want.Length; i++)
            if (want[i] != got[i] && n++ < 30) Console.WriteLine($"  px ({x + i % 224},{y + i / 224}) want {want[i]} got {got[i]}");
        Console.WriteLine($"differing {n}");
        foreach (var c in w.Layout.Chunks.Where(c => c.X < x + 224 && c.X + c.Width > x && c.Y < y + 224 && c.Y + c.Height > y))
            Console.WriteLine($"  chunk {c}");
    }
}
