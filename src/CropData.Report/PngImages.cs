using SkiaSharp;

namespace CropData.Report;

/// <summary>RGB pixel buffers to PNG through ScottPlot's SkiaSharp (no other image library; the native Skia comes with
/// ScottPlot's own dependencies). The encoder is deterministic: the same pixels give the same bytes.</summary>
public static class PngImages
{
    /// <summary>Encodes <paramref name="rgb"/> (width × height × 3 bytes, row-major, top row first) as an opaque PNG.</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (width <= 0 || height <= 0 || rgb.Length != width * height * 3)
            throw new ArgumentException($"RGB buffer of {rgb.Length} bytes does not match {width}x{height}x3");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var rgba = new byte[width * height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        using var bitmap = new SKBitmap(info);
        var dst = bitmap.GetPixels();
        int row = width * 4;
        for (int y = 0; y < height; y++)
            System.Runtime.InteropServices.Marshal.Copy(rgba, y * row, dst + y * bitmap.RowBytes, row);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}x{height} PNG");
        return data.ToArray();
    }
}
