using CropData.Gdal;
using CropData.Geo;
using CropData.Raster;

namespace CropData.Fetch.Bench;

/// <summary>
/// The physical floor of a ranges read: the bytes of the UnixFS leaves (256 KiB, the file's chunking) that hold the
/// COG's header, IFDs and tile index (everything before the first tile's data, overviews included) plus the leaves
/// that hold the full-resolution tiles inside the chips' resampling footprint (each chip's source window, 2 px margin
/// for bilinear).
/// </summary>
internal static class Floor
{
    private const long Leaf = 262_144;

    public static long Bytes(string bandPath, IReadOnlyList<ChipId> chips)
    {
        using var ds = RasterDataset.Open(bandPath);
        var length = new FileInfo(bandPath).Length;
        var (bw, bh) = ds.BlockSize(1);
        var gt = ds.GeoTransform;
        var headerEnd = Enumerable.Range(-1, ds.OverviewCount(1) + 1)
            .Select(o => ds.TiffBlock(1, 0, 0, o)?.Offset ?? long.MaxValue).Min();
        var leaves = new HashSet<long>();
        for (long l = 0; l * Leaf < headerEnd; l++) leaves.Add(l);
        using var toUtm = CoordinateTransform.FromEpsg(5070, ds.Epsg ?? throw new InvalidDataException($"{bandPath}: no EPSG code"));
        foreach (var chip in chips)
        {
            var (left, bottom, right, top) = CdlGrid.ChipBounds(chip);
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i <= 16; i++)
            {
                var t = i / 16.0;
                foreach (var (x, y) in new[] { (left + t * (right - left), bottom), (left + t * (right - left), top), (left, bottom + t * (top - bottom)), (right, bottom + t * (top - bottom)) })
                {
                    var (u, v) = toUtm.Transform(x, y);
                    xs.Add((u - gt.OriginX) / gt.PixelWidth);
                    ys.Add((v - gt.OriginY) / gt.PixelHeight);
                }
            }
            int c0 = Math.Max(0, (int)Math.Floor(xs.Min()) - 2), c1 = Math.Min(ds.Width - 1, (int)Math.Ceiling(xs.Max()) + 2);
            int r0 = Math.Max(0, (int)Math.Floor(ys.Min()) - 2), r1 = Math.Min(ds.Height - 1, (int)Math.Ceiling(ys.Max()) + 2);
            for (var by = r0 / bh; by <= r1 / bh; by++)
                for (var bx = c0 / bw; bx <= c1 / bw; bx++)
                    if (ds.TiffBlock(1, bx, by) is { } b)
                        for (var l = b.Offset / Leaf; l <= (b.Offset + b.Size - 1) / Leaf; l++) leaves.Add(l);
        }
        return leaves.Sum(l => Math.Min(Leaf, length - l * Leaf));
    }
}
