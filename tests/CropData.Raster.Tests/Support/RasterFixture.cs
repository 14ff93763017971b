using CropData.Gdal;
using CropData.Raster.Testing;

namespace CropData.Raster.Tests;

/// <summary>Repository paths and CLI cross-checks (the shared helpers plus what only these tests need).</summary>
internal static class Repo
{
    public static string Root() => TestRepo.Root();
    public static string KansasCdl => TestRepo.KansasCdl;
    public static string ReclassTable => Path.Combine(Root(), "data", "classes", "cdl_total_dst.csv");

    /// <summary>A national-like CDL extent (origin of the national raster, CONUS-sized) without a file.</summary>
    public static CdlRasterInfo NationalExtent => CdlRasterInfo.FromNationalWindow("national CDL extent", 0, 0, 153811, 96523);

    public static string Run(string tool, string arguments, string? stdin = null) => TestRepo.RunTool(tool, arguments, stdin);
}

/// <summary>
/// SYNTHETIC full-size scenes of tile 14SPJ (see <see cref="SyntheticHlsTile"/>), generated once per test run:
/// three dates with a distinct B02 and Fmask each.
/// </summary>
public sealed class SyntheticTileFixture : IDisposable
{
    private readonly TempDir _dir = new();
    public string[] B02 { get; }
    public string[] Fmask { get; }
    public RasterGrid SourceGrid => SyntheticHlsTile.Grid();

    public SyntheticTileFixture()
    {
        B02 = new string[3];
        Fmask = new string[3];
        for (var d = 0; d < 3; d++)
        {
            B02[d] = _dir.File($"HLS.S30.T14SPJ.2022{74 + 100 * d:000}T171051.v2.0.B02.tif");
            Fmask[d] = _dir.File($"HLS.S30.T14SPJ.2022{74 + 100 * d:000}T171051.v2.0.Fmask.tif");
            SyntheticHlsTile.WriteReflectance(B02[d], 0, (ulong)(42 + d));
            SyntheticHlsTile.WriteFmask(Fmask[d], (ulong)(42 + d));
        }
    }

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition("synthetic tile")]
public sealed class SyntheticTileCollection : ICollectionFixture<SyntheticTileFixture>;
