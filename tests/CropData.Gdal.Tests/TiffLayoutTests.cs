namespace CropData.Gdal.Tests;

/// <summary>Where a COG keeps its tiles (what the fetch benchmark's floor is computed from), on the real HLS Fmask.</summary>
public sealed class TiffLayoutTests
{
    [Fact]
    public void Block_offsets_of_the_real_hls_cog_lie_in_the_file_with_overview_tiles_before_full_resolution()
    {
        using var ds = RasterDataset.Open(TestFiles.RealFmask);
        var length = new FileInfo(TestFiles.RealFmask).Length;
        var first = ds.TiffBlock(1, 0, 0) ?? throw new Xunit.Sdk.XunitException("no TIFF block offset for block 0,0");
        var last = ds.TiffBlock(1, (ds.Width - 1) / 256, (ds.Height - 1) / 256) ?? throw new Xunit.Sdk.XunitException("no offset for the last block");
        Assert.True(first.Offset > 0 && first.Size > 0 && last.Offset + last.Size <= length, $"{first} {last} in {length} bytes");
        Assert.True(ds.OverviewCount(1) > 0);
        var overview = ds.TiffBlock(1, 0, 0, ds.OverviewCount(1) - 1) ?? throw new Xunit.Sdk.XunitException("no overview block offset");
        Assert.True(overview.Offset < first.Offset, "a COG stores the smallest overview's tiles before the full resolution's");
        Assert.Null(ds.TiffBlock(1, 999, 999));
    }
}
