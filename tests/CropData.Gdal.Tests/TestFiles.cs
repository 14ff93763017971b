namespace CropData.Gdal.Tests;

internal static class TestFiles
{
    public static string RepoRoot() => TestRepo.Root();
    public static string KansasCdl => TestRepo.KansasCdl;
    public static string RealFmask => Path.Combine(RepoRoot(), "data", "reference", "hls", "HLS.S30.T13RCN.2024128T173909.v2.0.Fmask.tif");
    public static string Run(string tool, string arguments, string? stdin = null) => TestRepo.RunTool(tool, arguments, stdin);
}
