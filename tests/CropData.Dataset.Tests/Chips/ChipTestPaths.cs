namespace CropData.Dataset.Tests.Chips;

internal static class ChipTestPaths
{
    /// <summary>The folder holding CropData.sln, found from the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
        throw new InvalidOperationException($"no CropData.sln above {AppContext.BaseDirectory}");
    }

    public static string ReclassTable => Path.Combine(RepoRoot(), "data", "classes", "cdl_total_dst.csv");
}
