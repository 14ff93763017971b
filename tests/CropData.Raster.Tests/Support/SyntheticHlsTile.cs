using CropData.Gdal;

namespace CropData.Raster.Testing;

/// <summary>
/// SYNTHETIC full-size HLS-like scene bands for tests and the benchmark (no real reflectance band small enough to
/// ship exists). 3660 x 3660 px, 30 m, EPSG:32614, origin of the real tile 14SPJ (600000, 4400040), which holds the
/// Kansas CDL clip. Reflectance: smooth multi-scale structure plus pixel noise, int16, nodata -9999 west of a slanted
/// swath edge (a partially covered tile). Fmask: clear / water / adjacent, cloud and shadow blobs, 255 in the swath gap.
/// Deterministic: a pure function of (seed, band, pixel) through a counter hash, never System.Random.
/// </summary>
public static class SyntheticHlsTile
{
    public const int Size = 3660;
    public const double OriginX = 600000, OriginY = 4400040;
    public const string Crs = "EPSG:32614";
    public const short ReflectanceNoData = -9999;
    public const byte FmaskNoData = 255;
    public static readonly string[] Bands = ["B02", "B03", "B04", "B8A", "B11", "B12"];

    public static RasterGrid Grid(int size = Size) =>
        new(Crs, GeoTransform.NorthUp(OriginX, OriginY, 30), size, size);

    /// <summary>True west of the swath edge: column &lt; 150 + row / 6 (never inside the Kansas clip).</summary>
    public static bool OutsideSwath(int column, int row) => column < 150 + row / 6;

    public static short[] Reflectance(int band, ulong seed, int size = Size)
    {
        var pixels = new short[size * size];
        var baseLevel = 600 + 350 * band;
        Parallel.For(0, size, row =>
        {
            for (var col = 0; col < size; col++)
            {
                if (OutsideSwath(col, row)) { pixels[row * size + col] = ReflectanceNoData; continue; }
                double v = baseLevel
                           + 900 * Smooth(seed + (ulong)band * 7919, col / 400.0, row / 400.0)
                           + 450 * Smooth(seed + 17 + (ulong)band * 7919, col / 37.0, row / 37.0)
                           + 250 * Smooth(seed + 31 + (ulong)band * 7919, col / 6.0, row / 6.0)
                           + 120 * (Unit(Hash(seed + (ulong)band, (ulong)col, (ulong)row)) - 0.5);
                pixels[row * size + col] = (short)Math.Clamp(Math.Round(v), 1, 10000);
            }
        });
        return pixels;
    }

    public static byte[] Fmask(ulong seed, int size = Size)
    {
        var pixels = new byte[size * size];
        Parallel.For(0, size, row =>
        {
            for (var col = 0; col < size; col++)
            {
                if (OutsideSwath(col, row)) { pixels[row * size + col] = FmaskNoData; continue; }
                var cloud = Smooth(seed + 101, col / 90.0, row / 90.0);
                var water = Smooth(seed + 202, col / 50.0, row / 50.0);
                byte v = cloud > 0.55 ? (byte)2 : cloud > 0.45 ? (byte)8 : cloud > 0.40 ? (byte)68 : (byte)64;
                if (v == 64 && water > 0.6) v = 96;
                pixels[row * size + col] = v;
            }
        });
        return pixels;
    }

    /// <summary>Writes one band as an HLS-like COG (DEFLATE + predictor, 256-px blocks, nearest overviews).</summary>
    public static void WriteReflectance(string path, int band, ulong seed, int size = Size) =>
        GeoTiff.Write(path, Grid(size), [Reflectance(band, seed, size)],
            new GeoTiffOptions { Cog = true, Predictor = true, NoData = ReflectanceNoData });

    public static void WriteFmask(string path, ulong seed, int size = Size) =>
        GeoTiff.Write(path, Grid(size), [Fmask(seed, size)],
            new GeoTiffOptions { Cog = true, NoData = FmaskNoData });

    /// <summary>Smooth value noise in [-1, 1], bilinear between hashed lattice values.</summary>
    public static double Smooth(ulong seed, double x, double y)
    {
        long x0 = (long)Math.Floor(x), y0 = (long)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        fx = fx * fx * (3 - 2 * fx);
        fy = fy * fy * (3 - 2 * fy);
        double v00 = Unit(Hash(seed, (ulong)x0, (ulong)y0)), v10 = Unit(Hash(seed, (ulong)(x0 + 1), (ulong)y0));
        double v01 = Unit(Hash(seed, (ulong)x0, (ulong)(y0 + 1))), v11 = Unit(Hash(seed, (ulong)(x0 + 1), (ulong)(y0 + 1)));
        double top = v00 + (v10 - v00) * fx, bottom = v01 + (v11 - v01) * fx;
        return (top + (bottom - top) * fy) * 2 - 1;
    }

    public static ulong Hash(ulong seed, ulong a, ulong b)
    {
        ulong h = seed;
        foreach (var v in (ReadOnlySpan<ulong>)[a, b])
        {
            h += 0x9E3779B97F4A7C15UL + v;
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
            h ^= h >> 31;
        }
        return h;
    }

    public static double Unit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
}
