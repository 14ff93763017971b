using System.Security.Cryptography;
using CropData.Dataset.Scenes;

namespace CropData.Stac.Download;

/// <summary>A downloaded file whose bytes do not give the checksum its granule's UMM-G states.</summary>
public sealed class ChecksumMismatchException(string message) : Exception(message);

/// <summary>Checks a file against a UMM-G checksum (docs/PIPELINE.md stage 7). UMM-G names the algorithm; values are hex.</summary>
public static class FileChecksumCheck
{
    /// <summary>Whether the algorithm is one this check can compute (MD5, SHA-1, SHA-256, SHA-384, SHA-512; case and dashes ignored).</summary>
    public static bool IsSupported(string algorithm) => Create(algorithm) is { } h && Dispose(h);

    private static bool Dispose(HashAlgorithm h) { h.Dispose(); return true; }

    /// <summary>The file's digest with the checksum's algorithm, lower-case hex.</summary>
    public static string Compute(string path, string algorithm)
    {
        using var h = Create(algorithm) ?? throw new NotSupportedException($"checksum algorithm '{algorithm}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(h.ComputeHash(fs));
    }

    /// <summary>Throws <see cref="ChecksumMismatchException"/> naming the file, the scene and both checksums when they differ.</summary>
    public static void Verify(string path, FileChecksum expected, string fileName, string scene)
    {
        var actual = Compute(path, expected.Algorithm);
        if (!string.Equals(actual, expected.Value.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new ChecksumMismatchException(
                $"{fileName} of scene {scene}: the bytes received have {expected.Algorithm} {actual}, but the granule's UMM-G states {expected.Algorithm} {expected.Value}");
    }

    private static HashAlgorithm? Create(string algorithm) => algorithm.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "MD5" => MD5.Create(),
        "SHA1" => SHA1.Create(),
        "SHA256" => SHA256.Create(),
        "SHA384" => SHA384.Create(),
        "SHA512" => SHA512.Create(),
        _ => null,
    };
}
