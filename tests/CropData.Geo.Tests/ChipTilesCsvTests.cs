namespace CropData.Geo.Tests;

public class ChipTilesCsvTests
{
    [Fact]
    public void Writes_sorted_fixed_decimals_and_reads_back()
    {
        using var tmp = new TempDir();
        var p = tmp.File("out/chip_tiles.csv");
        ChipTilesCsv.Write(p, [
            new ChipTile("chip_203_335", -97.187699330977, 39.26356636567987, "14SPJ"),
            new ChipTile("chip_184_236", -105.08568737338979, 40.081250517633606, "13TDE"),
        ]);
        Assert.Equal(
            "chip_id,chip_x,chip_y,tile\n" +
            "chip_184_236,-105.08568737,40.08125052,13TDE\n" +
            "chip_203_335,-97.18769933,39.26356637,14SPJ\n", File.ReadAllText(p));
        var back = ChipTilesCsv.Read(p);
        Assert.Equal(["chip_184_236", "chip_203_335"], back.Select(r => r.ChipId));
        Assert.Equal(-97.18769933, back[1].ChipX, 10);
        Assert.Equal(File.ReadAllText(p), ChipTilesCsv.ToCsv(back));
    }

    [Fact]
    public void Reads_the_original_chip_df_layout_with_full_precision_and_t_prefixed_tiles()
    {
        using var tmp = new TempDir();
        var p = tmp.File("chip_df.csv");
        File.WriteAllText(p, "chip_id,chip_x,chip_y,tile\r\nchip_184_236,-105.08568737338979,40.081250517633606,T13TDE\r\n");
        var r = Assert.Single(ChipTilesCsv.Read(p));
        Assert.Equal(new ChipTile("chip_184_236", -105.08568737338979, 40.081250517633606, "13TDE"), r);
    }

    [Theory]
    [InlineData("chip,x,y,t\n", "expected columns")]
    [InlineData("chip_id,chip_x,chip_y,tile\nchip_1_2,1,2,14SPJ\n", "line 2: chip_id 'chip_1_2'")]
    [InlineData("chip_id,chip_x,chip_y,tile\nchip_001_002,1;5,2,14SPJ\n", "are not numbers")]
    [InlineData("chip_id,chip_x,chip_y,tile\nchip_001_002,1,2,SPJ\n", "tile 'SPJ'")]
    [InlineData("chip_id,chip_x,chip_y,tile\nchip_001_002,1,2,14SPJ\nchip_001_002,1,2,14SPJ\n", "twice")]
    [InlineData("chip_id,chip_x,chip_y,tile\n\"chip_001_002\",1,2,14SPJ\n", "unquoted")]
    public void Bad_rows_are_named(string text, string expected)
    {
        using var tmp = new TempDir();
        var p = tmp.File("bad.csv");
        File.WriteAllText(p, text);
        var e = Assert.Throws<GeoInputException>(() => ChipTilesCsv.Read(p));
        Assert.Contains(expected, e.Message);
        Assert.Contains(p, e.Message);
    }
}
