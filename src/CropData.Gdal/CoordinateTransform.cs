using CropData.Gdal.Native;

namespace CropData.Gdal;

/// <summary>Transforms points between two CRSs through PROJ (OCT). Not thread-safe: one per thread.</summary>
public sealed class CoordinateTransform : IDisposable
{
    private nint _handle;
    public string Description { get; }

    public CoordinateTransform(SpatialReference source, SpatialReference target)
    {
        Description = $"{Describe(source)} -> {Describe(target)}";
        _handle = GdalRuntime.Check(Osr.OCTNewCoordinateTransformation(source.Handle, target.Handle),
            $"coordinate transformation {Description}");
    }

    public static CoordinateTransform FromEpsg(int source, int target)
    {
        using var s = SpatialReference.FromEpsg(source);
        using var t = SpatialReference.FromEpsg(target);
        return new CoordinateTransform(s, t);
    }

    public (double X, double Y) Transform(double x, double y)
    {
        double[] xs = [x], ys = [y];
        TransformInPlace(xs, ys);
        return (xs[0], ys[0]);
    }

    /// <summary>Transforms arrays of points in place; throws if any point fails.</summary>
    public void TransformInPlace(double[] xs, double[] ys)
    {
        if (xs.Length != ys.Length) throw new ArgumentException("x and y arrays differ in length");
        if (xs.Length == 0) return;
        if (Osr.OCTTransform(_handle, xs.Length, xs, ys, null) == 0)
            throw new GdalException($"transform {Description} failed: {Cpl.LastError()}");
    }

    private static string Describe(SpatialReference s) => s.Epsg is { } e ? $"EPSG:{e}" : "custom CRS";

    public void Dispose()
    {
        if (_handle != 0) { Osr.OCTDestroyCoordinateTransformation(_handle); _handle = 0; }
    }
}
