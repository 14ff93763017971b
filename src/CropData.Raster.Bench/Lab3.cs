using CropData.Gdal;
using CropData.Gdal.Native;

namespace CropData.Raster.Bench;

internal sealed unsafe class SpyHook(nint approxArg, int row, int px) : ITransformHook
{
    public int Transform(int dstToSrc, int count, double* x, double* y, double* z, int* success)
    {
        var isRow = dstToSrc != 0 && count > 1 && y[0] == row + 0.5 && y[count - 1] == row + 0.5 && x[0] <= px + 0.5 && x[count - 1] >= px + 0.5;
        var x0 = x[0];
        var r = WarpApi.GDALApproxTransform(approxArg, dstToSrc, count, x, y, z, success);
        if (isRow)
        {
            var i = (int)(px + 0.5 - x0);
            Console.WriteLine($"  whole row call x0={x0} n={count}: px {px} -> ({x[i]:R}, {y[i]:R}) ok={success[i]}");
        }
        return r;
    }
}

internal static class Lab3
{
    public static void Run(string path, RasterGrid grid, int px, int row)
    {
        using var src = RasterDataset.Open(path);
        using var gridDs = RasterDataset.CreateInMemory(grid, 0, RasterDataType.Byte);
        var approx = LowLevelWarp.CreateApproxTransformer(src, gridDs);
        using var dst = RasterDataset.CreateInMemory(grid, 1, RasterDataType.Int16, -9999, fill: false);
        var o = LowLevelWarp.CreateOptions(src, dst, Resampling.Bilinear, [], -9999, -9999, RasterDataType.Int16);
        var h = LowLevelWarp.Hook(o, new SpyHook(approx, row, px));
        LowLevelWarp.Run(o, 0, 0, grid.Width, grid.Height, "spy");
        h.Free();
        LowLevelWarp.Destroy(o);
        Console.WriteLine($"  whole value {dst.ReadWindow<short>(1, px, row, 1, 1)[0]}");
    }
}
