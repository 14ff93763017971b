using System.Globalization;
using CropData.Dataset.Chips;

namespace CropData.Dataset.Tests.Chips;

public class CdlReclassTableTests
{
    [Fact]
    public void Every_code_of_the_real_table_maps_to_its_new_class_value()
    {
        var table = CdlReclassTable.Load(ChipTestPaths.ReclassTable);
        var lines = File.ReadAllLines(ChipTestPaths.ReclassTable);
        var header = lines[0].Split(',').ToList();
        int oldCol = header.IndexOf("old_class_value"), newCol = header.IndexOf("new_class_value");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(f => (Code: byte.Parse(f[oldCol], CultureInfo.InvariantCulture), Class: byte.Parse(f[newCol], CultureInfo.InvariantCulture)))
            .ToArray();

        Assert.Equal(134, rows.Length);
        Assert.Equal(rows.Length, table.Mapping.Count);
        var codes = rows.Select(r => r.Code).ToArray();
        var classes = new byte[codes.Length];
        var result = table.Apply(codes, classes);
        Assert.Equal(0, result.UnmappedPixels);
        Assert.Equal(rows.Select(r => r.Class), classes);
        // 13 classes, 1..13 (0 is reserved for No Data).
        Assert.Equal(Enumerable.Range(1, 13).Select(c => (byte)c), classes.Distinct().Order());
        Assert.Equal((byte)3, table.Mapping[1]);   // Corn
        Assert.Equal((byte)4, table.Mapping[5]);   // Soybeans
        Assert.Equal((byte)8, table.Mapping[24]);  // Winter Wheat
    }

    [Fact]
    public void Unmapped_codes_become_class_0_and_are_counted_per_code()
    {
        // The original crashed on a code missing from the table (spec stage 9 defect).
        var table = CdlReclassTable.Load(ChipTestPaths.ReclassTable);
        Assert.False(table.TryMap(7, out _));     // CDL code 7 has no row
        byte[] cdl = [1, 7, 7, 0, 5, 255];
        var classes = new byte[cdl.Length];
        var result = table.Apply(cdl, classes);
        Assert.Equal(new byte[] { 3, 0, 0, 0, 4, 0 }, classes);
        Assert.Equal(4, result.UnmappedPixels);
        Assert.Equal(new Dictionary<byte, long> { [0] = 1, [7] = 2, [255] = 1 }, result.UnmappedCodes);
    }

    [Fact]
    public void Missing_column_is_an_error_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reclass-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "code,class\n1,3\n");
        try
        {
            var e = Assert.Throws<FormatException>(() => CdlReclassTable.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("new_class_value", e.Message);
        }
        finally { File.Delete(path); }
    }
}
