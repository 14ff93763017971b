using System.Collections.Concurrent;
using CropData.Gdal.Vsi;

namespace CropData.Gdal.Tests;

/// <summary>
/// GDAL reading through a managed /vsi plugin (issue 17: /vsiipfs/): the real HLS Fmask COG served from memory reads
/// the same pixels as the file, COG tiles come through read_multi_range, and a failing read is a GdalException that
/// names the virtual file and the cause instead of pixels.
/// </summary>
public sealed class VirtualFileSystemTests
{
    private sealed class MemoryFiles : IVirtualFileProvider
    {
        public readonly ConcurrentDictionary<string, byte[]> Files = new();
        public int MultiRangeCalls, RangeCount, Opens;
        public long BytesRead;
        public string? FailAfterOffset;    // a read past this offset of the named file throws

        public long? Stat(string name) => Files.TryGetValue(name, out var b) ? b.Length : null;

        public IVirtualFile? Open(string name)
        {
            if (!Files.TryGetValue(name, out var b)) return null;
            Interlocked.Increment(ref Opens);
            return new File(this, name, b);
        }

        private sealed class File(MemoryFiles owner, string name, byte[] bytes) : IVirtualFile
        {
            public long Length => bytes.Length;

            public int Read(long offset, Span<byte> buffer)
            {
                var n = (int)Math.Min(buffer.Length, bytes.Length - offset);
                Check(offset, n);
                bytes.AsSpan((int)offset, n).CopyTo(buffer);
                Interlocked.Add(ref owner.BytesRead, n);
                return n;
            }

            public void ReadRanges(IReadOnlyList<(long Offset, Memory<byte> Buffer)> ranges)
            {
                Interlocked.Increment(ref owner.MultiRangeCalls);
                Interlocked.Add(ref owner.RangeCount, ranges.Count);
                foreach (var (offset, buffer) in ranges) Assert.Equal(buffer.Length, Read(offset, buffer.Span));
            }

            private void Check(long offset, int n)
            {
                if (owner.FailAfterOffset == name && offset + n > 100_000)
                    throw new InvalidDataException($"block bafkfake of {name} did not verify");
            }

            public void Dispose() { }
        }
    }

    private static readonly MemoryFiles Provider = Register();

    private static MemoryFiles Register()
    {
        var p = new MemoryFiles();
        VirtualFileSystem.Register("/vsitestmem/", p);
        return p;
    }

    [Fact]
    public void A_cog_read_through_the_plugin_equals_the_file_and_uses_multi_range_reads()
    {
        Provider.Files["fmask.tif"] = File.ReadAllBytes(TestFiles.RealFmask);
        using var disk = RasterDataset.Open(TestFiles.RealFmask);
        using var virt = RasterDataset.Open("/vsitestmem/fmask.tif");
        Assert.Equal(disk.Width, virt.Width);
        Assert.Equal(disk.GeoTransform, virt.GeoTransform);
        var before = Provider.MultiRangeCalls;
        Assert.Equal(disk.ReadBand<byte>(1), virt.ReadBand<byte>(1));
        Assert.True(Provider.MultiRangeCalls > before, "GDAL read the COG tiles without read_multi_range");
        Assert.True(Provider.RangeCount > 1);
    }

    [Fact]
    public void A_window_reads_only_part_of_the_file()
    {
        Provider.Files["window.tif"] = File.ReadAllBytes(TestFiles.RealFmask);
        var before = Interlocked.Read(ref Provider.BytesRead);
        using var virt = RasterDataset.Open("/vsitestmem/window.tif");
        using var disk = RasterDataset.Open(TestFiles.RealFmask);
        Assert.Equal(disk.ReadWindow<byte>(1, 1000, 1000, 224, 224), virt.ReadWindow<byte>(1, 1000, 1000, 224, 224));
        var read = Interlocked.Read(ref Provider.BytesRead) - before;
        Assert.True(read < Provider.Files["window.tif"].Length / 4, $"read {read} of {Provider.Files["window.tif"].Length} bytes for one window");
    }

    [Fact]
    public void A_failing_read_is_an_error_naming_the_virtual_file_and_the_cause()
    {
        Provider.Files["broken.tif"] = File.ReadAllBytes(TestFiles.RealFmask);
        Provider.FailAfterOffset = "broken.tif";
        var before = VirtualFileSystem.FailureCount;
        var e = Assert.Throws<GdalException>(() =>
        {
            using var virt = RasterDataset.Open("/vsitestmem/broken.tif");
            virt.ReadBand<byte>(1);
        });
        Assert.Contains("/vsitestmem/broken.tif", e.Message);
        Assert.Contains("bafkfake", e.Message);
        Assert.True(VirtualFileSystem.FailureCount > before);
    }

    [Fact]
    public void A_missing_virtual_file_is_a_clear_open_error()
    {
        var e = Assert.Throws<GdalException>(() => RasterDataset.Open("/vsitestmem/no-such.tif"));
        Assert.Contains("/vsitestmem/no-such.tif", e.Message);
    }
}
