using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CropData.Gdal.Native;

namespace CropData.Gdal;

/// <summary>Which whole-grid warp a <see cref="GridWindowWarper"/> reproduces window by window.</summary>
public enum GridTransform
{
    /// <summary>
    /// gdalwarp's defaults: approximate transformer (0.125 px), kernel scale derived per warp chunk. Windows are
    /// bit-identical to the same window of one whole-grid warp.
    /// </summary>
    Approximate,

    /// <summary>Exact transformer (<c>-et 0</c>) and a fixed kernel scale (<c>-wo XSCALE=1 -wo YSCALE=1</c>).</summary>
    Exact,
}

/// <summary>
/// Warps windows of a large destination grid from one source raster (band 1), each window bit-identical to the same
/// window of a whole-grid gdalwarp — at the cost of the window, not the grid.
/// <para>
/// Why this is more than "warp the window": a whole-grid gdalwarp splits the grid into chunks (memory limit and
/// source-fill-ratio heuristics). Inside a chunk, the approximate transformer interpolates along each destination
/// row of that chunk, and the resampling kernel's scale is derived from the chunk's source/destination sizes (below
/// 0.95 bilinear widens its kernel). A window warped alone has other rows and another scale, so ~25 % of its pixels
/// differ (spec stage 8). This class (1) learns the whole-grid chunk layout once per geometry — read from GDAL's own
/// chunker (GDAL 3.6; any other version: a dry run of the whole-grid warp in which every kernel transform is refused),
/// (2) warps a window with a transformer hook that answers each row request from the whole-grid chunk row containing
/// it, with the kernel scale fixed at 1 — what GDAL used in chunks whose destination/source size ratio is ≥ 0.95 —
/// and with GDAL's per-pixel source-window test applied against the chunk's own source window, and (3) warps every
/// other chunk the window touches (small chunks along the source's edges) whole, as GDAL did. The transformer is
/// always built on the whole grid, so PROJ's area of interest — and the coordinate operation it picks — is the
/// whole-grid warp's. Chunk layouts and row transforms are shared by all bands and scenes of a tile geometry.
/// </para>
/// One instance per thread (it holds a GDAL dataset handle).
/// </summary>
public sealed unsafe class GridWindowWarper : IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<ChunkLayout>> Layouts = new();

    private readonly RasterDataset _source;
    private readonly RasterDataset _gridDataset;
    private readonly nint _approxArg;
    private readonly nint _exactArg;
    private readonly ChunkLayout? _layout;
    private readonly WarpedChunkCache _chunkCache;
    private readonly string _chunkKeyPrefix;

    public string SourcePath { get; }
    public RasterGrid Grid { get; }
    public Resampling Resampling { get; }
    public GridTransform Transform { get; }
    public RasterDataType DataType { get; }
    /// <summary>The source band's nodata, which is also the output nodata (the original's rioxarray default).</summary>
    public double? NoData { get; }

    private readonly LayoutMethod _method;

    private GridWindowWarper(string sourcePath, RasterGrid grid, Resampling resampling, GridTransform transform, LayoutMethod method,
        WarpedChunkCache? cache)
    {
        _method = method;
        _chunkCache = cache ?? new WarpedChunkCache();
        _chunkKeyPrefix = WarpedChunkCache.KeyPrefix(sourcePath, grid, resampling);
        SourcePath = sourcePath;
        Grid = grid;
        Resampling = resampling;
        Transform = transform;
        _source = RasterDataset.Open(sourcePath);
        try
        {
            DataType = _source.DataType(1);
            NoData = _source.NoData(1);
            // A band-less MEM dataset carries the whole grid's transform, CRS and size: the transformer (and PROJ's
            // area of interest) must be the whole-grid warp's, whatever window is warped.
            _gridDataset = RasterDataset.CreateInMemory(grid, 0, RasterDataType.Byte);
            _exactArg = WarpApi.GDALCreateGenImgProjTransformer2(_source.Handle, _gridDataset.Handle, 0);
            if (_exactArg == 0)
                throw new GdalException($"{sourcePath}: no transformation to {grid.Crs}: {Cpl.LastError()}");
            if (transform == GridTransform.Approximate)
            {
                _approxArg = WarpApi.GDALCreateApproxTransformer(WarpApi.Export("GDALGenImgProjTransform"), _exactArg, LowLevelWarp.DefaultErrorThreshold);
                _layout = Layouts.GetOrAdd(LayoutKey(), _ => new Lazy<ChunkLayout>(DiscoverLayout)).Value;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <param name="cache">Chunks warped whole, shared with other warpers of the same file and grid (the other chip rows
    /// of a band); null: this warper's own.</param>
    public static GridWindowWarper Open(string sourcePath, RasterGrid grid, Resampling resampling, GridTransform transform,
        WarpedChunkCache? cache = null) =>
        new(sourcePath, grid, resampling, transform, LayoutMethod.Auto, cache);

    internal static GridWindowWarper Open(string sourcePath, RasterGrid grid, Resampling resampling, LayoutMethod method) =>
        new(sourcePath, grid, resampling, GridTransform.Approximate, method, null);

    /// <summary>Forgets learned chunk layouts (benchmarks measure the cold cost).</summary>
    public static void ClearLayoutCache()
    {
        foreach (var layout in Layouts.Values)
            if (layout.IsValueCreated) layout.Value.Evict();
        Layouts.Clear();
    }

    /// <summary>Number of whole-grid warp chunks (diagnostics; 0 in exact mode).</summary>
    public int ChunkCount => _layout?.Chunks.Count ?? 0;

    /// <summary>Warps the grid window (column, row, width x height) and returns its pixels, row-major.</summary>
    public T[] Warp<T>(int column, int row, int width, int height) where T : unmanaged
    {
        if (column < 0 || row < 0 || width <= 0 || height <= 0 || column + width > Grid.Width || row + height > Grid.Height)
            throw new ArgumentOutOfRangeException(nameof(column),
                $"{SourcePath}: window ({column}, {row}, {width}x{height}) is not inside the {Grid.Width}x{Grid.Height} grid");
        var what = $"{SourcePath} → window ({column}, {row}, {width}x{height}) of {Grid}";
        if (_layout is null)
        {
            // Exact transforms do not depend on chunking; with the kernel scale fixed, GDAL's own chunking of the
            // window reproduces the whole-grid run.
            using var exact = WarpWithHook(column, row, width, height, [("XSCALE", "1"), ("YSCALE", "1")], preCheck: false,
                (options, _) => LowLevelWarp.Run(options, 0, 0, width, height, what));
            return exact.ReadBand<T>(1);
        }

        var touched = _layout.Chunks.Where(c =>
            c.X < column + width && c.X + c.Width > column && c.Y < row + height && c.Y + c.Height > row).ToArray();
        using var window = WarpWithHook(column, row, width, height, [("XSCALE", "1"), ("YSCALE", "1")], preCheck: true,
            (options, hook) =>
            {
                foreach (var c in touched.Where(c => c.Safe))
                {
                    int x0 = Math.Max(column, c.X), x1 = Math.Min(column + width, c.X + c.Width);
                    int y0 = Math.Max(row, c.Y), y1 = Math.Min(row + height, c.Y + c.Height);
                    // One region per whole-grid chunk, read from a source window inside that chunk's: the kernel then
                    // sees exactly the source pixels (and window edges) the whole-grid run saw for these pixels.
                    if (hook.SourceWindow(c, x0, y0, x1 - x0, y1 - y0, _source.Width, _source.Height) is { } src)
                        LowLevelWarp.RunRegion(options, (x0 - column, y0 - row, x1 - x0, y1 - y0), src, what);
                }
            });
        var pixels = window.ReadBand<T>(1);

        foreach (var c in touched.Where(c => !c.Safe))
        {
            // A chunk where GDAL may have widened the kernel: warp it whole, exactly as the whole-grid run did.
            var src = _chunkCache.GetOrWarp(_chunkKeyPrefix + c.Index.ToString(CultureInfo.InvariantCulture), () =>
            {
                using var warped = WarpWithHook(c.X, c.Y, c.Width, c.Height, [], preCheck: false,
                    (options, _) => LowLevelWarp.Run(options, 0, 0, c.Width, c.Height, what));
                return warped.ReadBand<T>(1);
            });
            int x0 = Math.Max(column, c.X), x1 = Math.Min(column + width, c.X + c.Width);
            int y0 = Math.Max(row, c.Y), y1 = Math.Min(row + height, c.Y + c.Height);
            for (var y = y0; y < y1; y++)
                Array.Copy(src, (y - c.Y) * c.Width + (x0 - c.X), pixels, (y - row) * width + (x0 - column), x1 - x0);
        }
        return pixels;
    }

    private RasterDataset WarpWithHook(int column, int row, int width, int height, (string, string)[] extra, bool preCheck,
        Action<nint, WindowHook> run)
    {
        var region = Grid.Window(column, row, width, height);
        var destination = RasterDataset.CreateInMemory(region, 1, DataType, NoData);
        var options = LowLevelWarp.CreateOptions(_source, destination, Resampling, extra, NoData, NoData, DataType);
        using var hook = new WindowHook(this, column, row, height, preCheck);
        var handle = LowLevelWarp.Hook(options, hook);
        try
        {
            _source.Enter();
            try { run(options, hook); }
            finally { _source.Exit(); }
            if (hook.Failure is { } failure)
                throw new GdalException($"{SourcePath}: window ({column}, {row}, {width}x{height}) transform failed: {failure.Message}", failure);
            return destination;
        }
        catch
        {
            destination.Dispose();
            throw;
        }
        finally
        {
            handle.Free();
            LowLevelWarp.Destroy(options);
        }
    }

    // ---- whole-grid chunk rows --------------------------------------------------------------------------------

    /// <summary>
    /// Source positions of rows [Y0, Y0 + Height) of one chunk, row-major, as GDAL's kernel requested them. Native
    /// memory, reference-counted: the cache holds one reference, every warp using it another, and the memory goes back
    /// as soon as the last one is released (no large-object-heap garbage piling up over a tile's chip rows).
    /// </summary>
    internal sealed class RowBand
    {
        private int _references = 1;
        public int Y0 { get; }
        public int Height { get; }
        public int Width { get; }
        public double* X { get; }
        public double* Y { get; }
        public int* Ok { get; }
        public long Bytes => 20L * Width * Height;

        public RowBand(int y0, int height, int width)
        {
            (Y0, Height, Width) = (y0, height, width);
            var n = (nuint)width * (nuint)height;
            X = (double*)NativeMemory.Alloc(n, sizeof(double));
            Y = (double*)NativeMemory.Alloc(n, sizeof(double));
            Ok = (int*)NativeMemory.Alloc(n, sizeof(int));
        }

        public bool TryAcquire()
        {
            for (var r = Volatile.Read(ref _references); r > 0; r = Volatile.Read(ref _references))
                if (Interlocked.CompareExchange(ref _references, r + 1, r) == r) return true;
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) != 0) return;
            NativeMemory.Free(X);
            NativeMemory.Free(Y);
            NativeMemory.Free(Ok);
        }
    }

    /// <summary>
    /// Rows of a chunk, transformed one row at a time over the chunk's full width (the approximate transformer's
    /// interpolation depends on the row extent). Shared by every warper of the same geometry — all bands of all scenes
    /// of a tile — so a chip row's transforms are computed once per tile, not once per band. Returned acquired.
    /// </summary>
    internal RowBand Rows(Chunk c, int y0, int height, bool preCheck) =>
        Layout.Rows(c, y0, height, preCheck, ComputeRows);

    // Hot loops (a chip row of a tile transforms millions of points): optimised at once, not after tier-0 runs of them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RowBand ComputeRows(Chunk c, int y0, int height, bool preCheck)
    {
        var band = new RowBand(y0, height, c.Width);
        double* px = band.X, py = band.Y;
        var pok = band.Ok;
        var zs = new double[c.Width];
        var bounds = new WindowHook.ChunkSourceBounds(c);
        fixed (double* pz = zs)
        {
            for (var r = 0; r < height; r++)
            {
                var o = r * c.Width;
                var rowY = y0 + r + 0.5;
                for (var i = 0; i < c.Width; i++) { px[o + i] = c.X + i + 0.5; py[o + i] = rowY; pz[i] = 0; }
                WarpApi.GDALApproxTransform(_approxArg, 1, c.Width, px + o, py + o, pz, pok + o);
                if (preCheck)
                    for (var i = 0; i < c.Width; i++)
                    {
                        if (bounds.Holds(px[o + i], py[o + i], pok[o + i])) continue; // the common case, inline
                        WindowHook.CheckAgainstChunkWindow(_approxArg, c, c.X + i, y0 + r, ref px[o + i], ref py[o + i], ref pok[o + i]);
                    }
            }
        }
        return band;
    }

    // ---- whole-grid chunk layout -------------------------------------------------------------------------------

    internal sealed record Chunk(int Index, int X, int Y, int Width, int Height, int SrcX, int SrcY, int SrcWidth, int SrcHeight)
    {
        // The kernel's scale is dst / (src - extra) >= dst / src; at >= 0.95 in both axes GDAL uses the plain
        // 4-sample bilinear, which ignores the scale, so a fixed scale of 1 reproduces it.
        public bool Safe => (double)Width / SrcWidth >= 0.95 && (double)Height / SrcHeight >= 0.95;
    }

    internal sealed record ChunkLayout(IReadOnlyList<Chunk> Chunks)
    {
        /// <summary>Cached row transforms, all layouts together (about two chip rows of two tile layouts).</summary>
        private const long RowCacheLimit = 96L << 20;
        private static long s_totalRowBytes;
        private readonly Dictionary<int, Chunk[]> _byRow = new();
        private readonly ConcurrentDictionary<(int Chunk, int Y0, int Height, bool PreCheck), Lazy<RowBand>> _rows = new();

        /// <summary>The rows, acquired for the caller (who releases them).</summary>
        public RowBand Rows(Chunk c, int y0, int height, bool preCheck, Func<Chunk, int, int, bool, RowBand> compute)
        {
            var key = (c.Index, y0, height, preCheck);
            while (true)
            {
                if (!_rows.TryGetValue(key, out var lazy))
                {
                    // Bounded (about two chip rows of a tile): chips are cut chip row by chip row, old rows are not
                    // asked for again; bands still in use stay alive until their warps release them.
                    if (Interlocked.Read(ref s_totalRowBytes) > RowCacheLimit)
                        foreach (var other in Layouts.Values)
                            if (other.IsValueCreated) other.Value.Evict();
                    lazy = _rows.GetOrAdd(key, _ => new Lazy<RowBand>(() =>
                    {
                        var band = compute(c, y0, height, preCheck);
                        Interlocked.Add(ref s_totalRowBytes, band.Bytes);
                        return band;
                    }));
                }
                if (lazy.Value.TryAcquire()) return lazy.Value;
                _rows.TryRemove(new KeyValuePair<(int, int, int, bool), Lazy<RowBand>>(key, lazy));
            }
        }

        public void Evict()
        {
            foreach (var (key, lazy) in _rows)
            {
                if (!lazy.IsValueCreated || !_rows.TryRemove(new KeyValuePair<(int, int, int, bool), Lazy<RowBand>>(key, lazy)))
                    continue;
                Interlocked.Add(ref s_totalRowBytes, -lazy.Value.Bytes);
                lazy.Value.Release();
            }
        }

        public Chunk[] ChunksOfRow(int row)
        {
            lock (_byRow)
            {
                if (!_byRow.TryGetValue(row, out var list))
                {
                    list = Chunks.Where(c => row >= c.Y && row < c.Y + c.Height).OrderBy(c => c.X).ToArray();
                    _byRow[row] = list;
                }
                return list;
            }
        }
    }

    /// <summary>The approximate transformer (tests of the per-pixel source-window test, which may call it).</summary>
    internal nint ApproxTransformer => _approxArg;

    internal ChunkLayout Layout => _layout ?? throw new InvalidOperationException("exact mode has no chunk layout");

    private string LayoutKey() => string.Join("|", _method,
        GdalRuntime.Version, _source.ProjectionWkt, _source.GeoTransform, _source.Width, _source.Height, DataType,
        NoData?.ToString("R", CultureInfo.InvariantCulture) ?? "none", Resampling, Grid.Crs, Grid.Transform, Grid.Width, Grid.Height);

    private static readonly Regex ChunkLine = new(@"Src=(\d+),(\d+),(\d+)x(\d+) Dst=(\d+),(\d+),(\d+)x(\d+)", RegexOptions.CultureInvariant);

    /// <summary>How the whole-grid chunk layout is learned (tests compare the two).</summary>
    internal enum LayoutMethod { Auto, DryRun, ChunkList }

    private ChunkLayout DiscoverLayout()
    {
        if (_method != LayoutMethod.DryRun && ReadChunkList() is { } listed) return listed;
        if (_method == LayoutMethod.ChunkList) throw new GdalException($"{SourcePath}: GDAL's chunk list could not be read");
        return DryRunLayout();
    }

    /// <summary>
    /// GDAL 3.6's own chunker, called directly: GDALWarpOperation::CollectChunkList(0, 0, width, height) on an operation
    /// with gdalwarp's options, then its chunk list read back (no pixel is read or warped). The member layout is
    /// GDAL 3.6's; other versions, or a list that fails the plausibility checks, fall back to <see cref="DryRunLayout"/>.
    /// </summary>
    private ChunkLayout? ReadChunkList()
    {
        if (!GdalRuntime.Version.StartsWith("3.6.", StringComparison.Ordinal)) return null;
        if (!NativeLibrary.TryGetExport(Native.GdalLibrary.Handle, "_ZN17GDALWarpOperation16CollectChunkListEiiii", out var collect))
            return null;
        using var destination = RasterDataset.CreateInMemory(Grid, 1, DataType, NoData, fill: false);
        var options = LowLevelWarp.CreateOptions(_source, destination, Resampling, [], NoData, NoData, DataType);
        LowLevelWarp.SetApproxTransformer(options, _approxArg);
        var op = WarpApi.GDALCreateWarpOperation(options);
        try
        {
            if (op == 0) return null;
            ((delegate* unmanaged<nint, int, int, int, int, void>)collect)(op, 0, 0, Grid.Width, Grid.Height);
            // class GDALWarpOperation (3.6): vptr, psOptions, hIOMutex, hWarpMutex, nChunkListCount, nChunkListMax,
            // pasChunkList; GDALWarpChunk = { int dx, dy, dsx, dsy, sx, sy, ssx, ssy; double sExtraSx, sExtraSy }.
            var count = *(int*)(op + 32);
            var max = *(int*)(op + 36);
            var list = *(int**)(op + 40);
            if (count <= 0 || count > max || max > 10_000_000 || list == null) return null;
            var chunks = new List<Chunk>();
            long area = 0;
            for (var i = 0; i < count; i++)
            {
                var c = list + i * 12; // 48 bytes = 12 ints
                int dx = c[0], dy = c[1], dsx = c[2], dsy = c[3], sx = c[4], sy = c[5], ssx = c[6], ssy = c[7];
                if (dx < 0 || dy < 0 || dsx <= 0 || dsy <= 0 || dx + dsx > Grid.Width || dy + dsy > Grid.Height) return null;
                if (ssx < 0 || ssy < 0 || sx < 0 || sy < 0 || sx + ssx > _source.Width || sy + ssy > _source.Height) return null;
                area += (long)dsx * dsy;
                // A chunk without source pixels is never handed to the kernel: its pixels stay nodata.
                if (ssx > 0 && ssy > 0) chunks.Add(new Chunk(chunks.Count, dx, dy, dsx, dsy, sx, sy, ssx, ssy));
            }
            if (area > (long)Grid.Width * Grid.Height || chunks.Count == 0) return null;
            return new ChunkLayout(chunks);
        }
        finally
        {
            if (op != 0) WarpApi.GDALDestroyWarpOperation(op);
            LowLevelWarp.Destroy(options);
        }
    }

    /// <summary>
    /// A dry run of the whole-grid warp with gdalwarp's options: same chunker, but on an in-memory stand-in for the
    /// source (same grid, CRS, type, nodata: chunking never looks at pixel values) and with every kernel row
    /// transform refused, so GDAL lays out and visits every chunk without resampling a pixel. The chunks are read
    /// from the kernel's own debug line per chunk. Works with any GDAL version that prints that line.
    /// </summary>
    private ChunkLayout DryRunLayout()
    {
        var sourceGrid = new RasterGrid(_source.ProjectionWkt, _source.GeoTransform, _source.Width, _source.Height);
        // MEM rasters are calloc'ed: pages the dry run never touches cost nothing.
        using var proxy = RasterDataset.CreateInMemory(sourceGrid, 1, DataType, NoData, fill: false);
        using var destination = RasterDataset.CreateInMemory(Grid, 1, DataType, NoData, fill: false);
        var options = LowLevelWarp.CreateOptions(proxy, destination, Resampling, [], NoData, NoData, DataType);
        var hook = new RefuseRowsHook(_approxArg);
        var handle = LowLevelWarp.Hook(options, hook);
        var lines = new List<string>();
        try
        {
            LowLevelWarp.CaptureDebug(lines, () => LowLevelWarp.Run(options, 0, 0, Grid.Width, Grid.Height,
                $"{SourcePath}: chunk layout of {Grid}"));
            if (hook.Failure is { } failure)
                throw new GdalException($"{SourcePath}: chunk layout dry run failed: {failure.Message}", failure);
        }
        finally
        {
            handle.Free();
            LowLevelWarp.Destroy(options);
        }
        var chunks = new List<Chunk>();
        foreach (var line in lines)
        {
            var m = ChunkLine.Match(line);
            if (!m.Success) continue;
            int V(int g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            chunks.Add(new Chunk(chunks.Count, V(5), V(6), V(7), V(8), V(1), V(2), V(3), V(4)));
        }
        if (chunks.Count == 0)
            throw new GdalException($"{SourcePath}: GDAL reported no warp chunk for {Grid} (no overlap, or GDAL's kernel debug output changed)");
        return new ChunkLayout(chunks);
    }

    private sealed class RefuseRowsHook(nint approxArg) : ITransformHook
    {
        public Exception? Failure { get; set; }

        public int Transform(int dstToSrc, int count, double* x, double* y, double* z, int* success)
        {
            if (dstToSrc != 0 && IsRow(count, x, y))
            {
                for (var i = 0; i < count; i++) success[i] = 0;
                return 1;
            }
            return WarpApi.GDALApproxTransform(approxArg, dstToSrc, count, x, y, z, success);
        }
    }

    /// <summary>A kernel row request: consecutive pixel centres on one destination line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsRow(int count, double* x, double* y)
    {
        if (count < 1 || x[0] - Math.Floor(x[0]) != 0.5 || y[0] - Math.Floor(y[0]) != 0.5) return false;
        for (var i = 1; i < count; i++)
            if (y[i] != y[0] || x[i] != x[0] + i) return false;
        return true;
    }

    /// <summary>
    /// Transformer of a window warp: window pixel coordinates are shifted onto the whole grid; a kernel row request is
    /// answered from the whole-grid chunk row(s) containing it (approximate mode), so every pixel gets the source
    /// position the whole-grid warp computed for it. Columns no whole-grid chunk covered are refused (stay nodata).
    /// With <c>preCheck</c>, GDAL's per-pixel source-window test (GWKCheckAndComputeSrcOffsets) is applied against the
    /// whole-grid chunk's source window here: a position up to 1 px outside it is re-transformed exactly (as GDAL's
    /// retry does), one still outside is refused — so the answer no longer depends on this warp's own window.
    /// </summary>
    internal sealed class WindowHook(GridWindowWarper owner, int offsetX, int offsetY, int height, bool preCheck) : ITransformHook, IDisposable
    {
        public Exception? Failure { get; set; }

        private readonly Dictionary<(int Chunk, int Y0), RowBand> _bands = new();

        public void Dispose()
        {
            foreach (var band in _bands.Values) band.Release();
            _bands.Clear();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Transform(int dstToSrc, int count, double* x, double* y, double* z, int* success)
        {
            var approximate = owner._approxArg != 0;
            var arg = approximate ? owner._approxArg : owner._exactArg;
            if (dstToSrc == 0)
            {
                var r = Call(approximate, arg, 0, count, x, y, z, success);
                for (var i = 0; i < count; i++) { x[i] -= offsetX; y[i] -= offsetY; }
                return r;
            }
            // A kernel row request (any width: a region can be 1 px wide) is answered from the whole-grid chunk rows.
            // Without the pre-check GDAL's kernel may also retry single points exactly (GDALApproxTransform computes
            // 5 points or fewer exactly): then only requests wider than 5 px are rows — a narrower whole chunk row
            // was computed exactly by the whole-grid run too, so answering it directly is the same.
            if (approximate && IsRow(count, x, y) && (preCheck || count > 5))
            {
                var gridRow = (int)Math.Floor(y[0]) + offsetY;
                var first = (int)Math.Floor(x[0]) + offsetX;
                for (var i = 0; i < count; i++) success[i] = 0;
                foreach (var c in owner.Layout.ChunksOfRow(gridRow))
                {
                    int a = Math.Max(first, c.X), b = Math.Min(first + count, c.X + c.Width);
                    if (a >= b) continue;
                    var (band, offset) = Segment(gridRow, c);
                    for (var g = a; g < b; g++)
                    {
                        var i = g - first;
                        var k = offset + g - c.X;
                        x[i] = band.X[k];
                        y[i] = band.Y[k];
                        success[i] = band.Ok[k];
                    }
                }
                return 1;
            }
            for (var i = 0; i < count; i++) { x[i] += offsetX; y[i] += offsetY; }
            return Call(approximate, arg, 1, count, x, y, z, success);
        }

        /// <summary>Source positions of one whole-grid chunk row (GDAL's row request), pre-checked when asked.</summary>
        private (RowBand Band, int Offset) Segment(int gridRow, Chunk c)
        {
            int y0 = Math.Max(offsetY, c.Y), y1 = Math.Min(offsetY + height, c.Y + c.Height);
            if (gridRow < y0 || gridRow >= y1) { y0 = gridRow; y1 = gridRow + 1; }
            if (!_bands.TryGetValue((c.Index, y0), out var band))
            {
                band = owner.Rows(c, y0, y1 - y0, preCheck);
                _bands[(c.Index, y0)] = band;
            }
            return (band, (gridRow - band.Y0) * c.Width);
        }

        /// <summary>
        /// The positions <see cref="CheckAgainstChunkWindow"/> leaves as they are at its first attempt — success, no NaN,
        /// inside the chunk's source window — with its bounds computed as it does (int sums, compared as doubles). A NaN
        /// fails every comparison, so it is never held here. Lets the row loop skip the call for nearly every pixel.
        /// </summary>
        internal readonly struct ChunkSourceBounds(Chunk c)
        {
            private readonly double _x0 = c.SrcX, _y0 = c.SrcY, _x1 = c.SrcWidth + c.SrcX, _y1 = c.SrcHeight + c.SrcY;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public bool Holds(double x, double y, int ok) => ok != 0 && x >= _x0 && y >= _y0 && x + 1e-10 <= _x1 && y + 1e-10 <= _y1;
        }

        // Mirrors GWKCheckAndComputeSrcOffsets (GDAL 3.6+) with the chunk's source window.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void CheckAgainstChunkWindow(nint arg, Chunk c, int gridX, int gridRow, ref double x, ref double y, ref int ok)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (attempt == 1)
                {
                    double rx = gridX + 0.5, ry = gridRow + 0.5, rz = 0;
                    int rok = 0;
                    WarpApi.GDALApproxTransform(arg, 1, 1, &rx, &ry, &rz, &rok);
                    (x, y, ok) = (rx, ry, rok);
                }
                if (ok == 0 || double.IsNaN(x) || double.IsNaN(y)) { ok = 0; return; }
                if (x < c.SrcX) { if (attempt == 0 && x > c.SrcX - 1) continue; ok = 0; return; }
                if (y < c.SrcY) { if (attempt == 0 && y > c.SrcY - 1) continue; ok = 0; return; }
                if (x + 1e-10 > c.SrcWidth + c.SrcX) { if (attempt == 0 && x < c.SrcWidth + c.SrcX + 1) continue; ok = 0; return; }
                if (y + 1e-10 > c.SrcHeight + c.SrcY) { if (attempt == 0 && y < c.SrcHeight + c.SrcY + 1) continue; ok = 0; return; }
                return;
            }
        }

        /// <summary>
        /// Source window for the grid region (x, y, w, h) inside chunk <paramref name="c"/>: the bounding box of the
        /// pixels' positions + 2 px (bilinear support), within the chunk's own window; null when no pixel maps.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public (int X, int Y, int W, int H)? SourceWindow(Chunk c, int x, int y, int w, int h, int rasterWidth, int rasterHeight)
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (var r = y; r < y + h; r++)
            {
                var (band, offset) = Segment(r, c);
                for (var g = x; g < x + w; g++)
                {
                    var k = offset + g - c.X;
                    if (band.Ok[k] == 0) continue;
                    double sx = band.X[k], sy = band.Y[k];
                    if (sx < minX) minX = sx;
                    if (sx > maxX) maxX = sx;
                    if (sy < minY) minY = sy;
                    if (sy > maxY) maxY = sy;
                }
            }
            if (minX > maxX) return null;
            var x0 = Math.Max(Math.Max((int)Math.Floor(minX) - 2, c.SrcX), 0);
            var y0 = Math.Max(Math.Max((int)Math.Floor(minY) - 2, c.SrcY), 0);
            var x1 = Math.Min(Math.Min((int)Math.Ceiling(maxX) + 2, c.SrcX + c.SrcWidth), rasterWidth);
            var y1 = Math.Min(Math.Min((int)Math.Ceiling(maxY) + 2, c.SrcY + c.SrcHeight), rasterHeight);
            if (x0 >= x1 || y0 >= y1) return null;
            return (x0, y0, x1 - x0, y1 - y0);
        }

        private static int Call(bool approximate, nint arg, int dstToSrc, int count, double* x, double* y, double* z, int* success) =>
            approximate
                ? WarpApi.GDALApproxTransform(arg, dstToSrc, count, x, y, z, success)
                : WarpApi.GDALGenImgProjTransform(arg, dstToSrc, count, x, y, z, success);
    }

    public void Dispose()
    {
        if (_approxArg != 0) WarpApi.GDALDestroyApproxTransformer(_approxArg);
        if (_exactArg != 0) WarpApi.GDALDestroyGenImgProjTransformer(_exactArg);
        _gridDataset?.Dispose();
        _source.Dispose();
    }
}
