using CropData.Dataset.Chips;
using CropData.Gdal;
using CropData.Geo;

namespace CropData.Raster.Tests;

[Collection("synthetic tile")]
public class ChipFilesTests(SyntheticTileFixture tile)
{
    private static readonly ChipId[] ReferenceChips =
        [ChipId.Parse("chip_203_335"), ChipId.Parse("chip_202_336"), ChipId.Parse("chip_203_337")];

    private SceneBands[] Scenes() => Enumerable.Range(0, 3).Select(d => new SceneBands(
        $"HLS.S30.T14SPJ.scene{d}", new DateOnly(2022, 3 + 3 * d, 15),
        // Six reflectance bands from one synthetic band file: pixel content does not matter to the file layout.
        Enumerable.Repeat(tile.B02[d], 6).ToArray(), tile.Fmask[d])).ToArray();

    private IReadOnlyList<BuiltChip> Build(string root, ChipBuildOptions? options = null) =>
        ChipBuilder.Build("14SPJ", Scenes(), ReferenceChips, Repo.KansasCdl, CdlReclassTable.Load(Repo.ReclassTable),
            ChipBuilder.PublishedLayout(root), options);

    [Fact]
    public void Chip_files_reopen_with_the_published_layout()
    {
        using var tmp = new TempDir();
        var built = Build(tmp.Path);
        Assert.Equal(3, built.Count);
        Assert.All(built, b => Assert.True(b.Written));
        using var cdl = RasterDataset.Open(Repo.KansasCdl);

        foreach (var chip in ReferenceChips)
        {
            var expectedGrid = CdlGrid.ChipGrid(chip);
            var layout = ChipBuilder.PublishedLayout(tmp.Path)(chip);
            using var merged = RasterDataset.Open(layout.Merged);
            using var fmask = RasterDataset.Open(layout.Fmask);
            using var mask = RasterDataset.Open(layout.Mask);
            foreach (var (ds, bands, type) in new[] { (merged, 18, RasterDataType.Int16), (fmask, 3, RasterDataType.Byte), (mask, 1, RasterDataType.Byte) })
            {
                Assert.Equal((224, 224, bands), (ds.Width, ds.Height, ds.BandCount));
                Assert.Equal(type, ds.DataType(1));
                Assert.Equal(5070, ds.Epsg);
                Assert.Equal(expectedGrid.Transform, ds.GeoTransform);
            }
            Assert.Equal(255, fmask.NoData(1));
            Assert.Equal(cdl.ColorTable(1), mask.ColorTable(1));
            // Uncompressed by default, as the published chips (1,808,174 bytes: 18 x 224 x 224 x 2 + header).
            Assert.InRange(new FileInfo(layout.Merged).Length, 18 * 224 * 224 * 2, 1_810_000);
            Assert.InRange(new FileInfo(layout.Mask).Length, 224 * 224, 53_000);

            // Mask = the CDL window reclassed; merged = clipped reflectance; Fmask = warped Fmask bytes.
            var w = CdlRasterInfo.Read(Repo.KansasCdl).ChipWindow(chip);
            var table = CdlReclassTable.Load(Repo.ReclassTable);
            var expectedMask = new byte[224 * 224];
            table.Apply(cdl.ReadWindow<byte>(1, w.Column, w.Row, 224, 224), expectedMask);
            Assert.Equal(expectedMask, mask.ReadBand<byte>(1));
            Assert.All(Enumerable.Range(1, 18), b => Assert.DoesNotContain(merged.ReadBand<short>(b), v => v < 0));
            var warpedFmask = ChipReprojector.Reproject<byte>(tile.Fmask[2], Resampling.Nearest, CdlRasterInfo.Read(Repo.KansasCdl), [chip]);
            Assert.Equal(warpedFmask.Pixels[chip], fmask.ReadBand<byte>(3));
        }

        var row = built[0].Assembled.Row!;
        Assert.Equal("14SPJ", row.Tile);
        Assert.Equal(0, row.NaCount);   // the Kansas clip lies inside the synthetic scene's swath
        Assert.Equal(new DateOnly(2022, 3, 15), row.ImageDates[0]);
    }

    [Fact]
    public void Building_twice_gives_identical_bytes()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        Build(a.Path, new ChipBuildOptions { Files = new ChipFileOptions { Compression = TiffCompression.Deflate } });
        Thread.Sleep(1100);
        Build(b.Path, new ChipBuildOptions { Files = new ChipFileOptions { Compression = TiffCompression.Deflate }, Parallelism = 1 });
        var files = Directory.GetFiles(a.Path, "*.tif", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order().ToArray();
        Assert.Equal(9, files.Length);
        Assert.Equal(files, Directory.GetFiles(b.Path, "*.tif", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(a.Path, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Path, f))), $"{f} differs");
    }

    [Fact]
    public void Band_descriptions_are_optional()
    {
        using var tmp = new TempDir();
        Build(tmp.Path, new ChipBuildOptions { DescribeBands = ["B02", "B03", "B04", "B8A", "B11", "B12"] });
        using var merged = RasterDataset.Open(ChipBuilder.PublishedLayout(tmp.Path)(ReferenceChips[0]).Merged);
        Assert.Equal("B02_2022-03-15", merged.Description(1));
        Assert.Equal("B12_2022-09-15", merged.Description(18));
    }

    [Fact]
    public void Chip_off_the_cdl_raster_fails_before_any_file_is_written()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<RasterException>(() => ChipBuilder.Build("14SPJ", Scenes(), [ChipId.Parse("chip_200_335")],
            Repo.KansasCdl, CdlReclassTable.Load(Repo.ReclassTable), ChipBuilder.PublishedLayout(tmp.Path)));
        Assert.Contains("chip_200_335", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }
}
