using SkiaSharp;

namespace CropData.Report.Tests;

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cropdata-report-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string rel) => System.IO.Path.Combine(Path, rel);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class Png
{
    /// <summary>Decodes with SkiaSharp's PNG codec (a real decode, not a header peek).</summary>
    public static SKBitmap Decode(byte[] png)
    {
        Assert.True(png.Length > 8 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "PNG signature");
        return SKBitmap.Decode(png) ?? throw new InvalidDataException("SkiaSharp could not decode the PNG");
    }

    public static (byte R, byte G, byte B) Rgb(SKBitmap b, int x, int y)
    {
        var c = b.GetPixel(x, y);
        return (c.Red, c.Green, c.Blue);
    }
}
