using System.Diagnostics;

namespace CropData.Tests.Shared;

/// <summary>Repository paths and GDAL command-line cross-checks, shared (as linked source) by the raster test projects.</summary>
internal static class TestRepo
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
        throw new InvalidOperationException($"no CropData.sln above {AppContext.BaseDirectory}");
    }

    public static string KansasCdl => Path.Combine(Root(), "data", "cdl", "2021_30m_cdls_kansas_clip.tif");

    /// <summary>Runs a GDAL command-line tool (gdal-bin) for cross-checks; PAM off so inputs get no .aux.xml.</summary>
    public static string RunTool(string tool, string arguments, string? stdin = null)
    {
        var psi = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.Environment["GDAL_PAM_ENABLED"] = "NO";
        using var p = Process.Start(psi)!;
        if (stdin is not null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {arguments} failed ({p.ExitCode}): {error}");
        return output;
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cropdata-tests-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
