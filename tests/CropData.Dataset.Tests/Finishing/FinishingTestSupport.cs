namespace CropData.Dataset.Tests.Finishing;

/// <summary>Repo root (folder holding CropData.sln) and a per-test temp folder deleted on dispose.</summary>
internal static class FinishingRepo
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CropData.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("CropData.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Data(params string[] parts) => Path.Combine([Root, "data", .. parts]);
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cropdata-finishing-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string rel) => System.IO.Path.Combine(Path, rel);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The 64-bit LCG the numpy reference script used (x = x·6364136223846793005 + 1442695040888963407 mod 2^64,
/// value = (x &gt;&gt; 33) mod m − offset), so C# and numpy see the same synthetic chips.</summary>
internal static class Lcg
{
    public static short[][] Chips(ulong seed, int nChips, int pixels, int modulo, int offset)
    {
        ulong x = seed;
        var chips = new short[nChips][];
        for (int c = 0; c < nChips; c++)
        {
            chips[c] = new short[18 * pixels];
            for (int i = 0; i < 18 * pixels; i++)
            {
                x = unchecked(x * 6364136223846793005UL + 1442695040888963407UL);
                chips[c][i] = (short)((long)((x >> 33) % (ulong)modulo) - offset);
            }
        }
        return chips;
    }
}
