using System.Security.Cryptography;

namespace CropData.Ipfs.Tests.Support;

/// <summary>Deterministic test payloads written to a temp dir (never into the repo).</summary>
public static class TestFiles
{
    public const int Chunk = 256 * 1024;

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CropData.sln"))) return d.FullName;
        throw new InvalidOperationException($"no CropData.sln above {AppContext.BaseDirectory}");
    }

    public static string NewTempDir(string tag)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cropdata-ipfs-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Pseudo-random bytes from a seed (xorshift64*), the same on every machine.</summary>
    public static void Fill(Span<byte> buffer, ulong seed)
    {
        var x = seed * 0x9E3779B97F4A7C15UL | 1;
        for (var i = 0; i < buffer.Length; i += 8)
        {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
            var v = x * 0x2545F4914F6CDD1DUL;
            for (var j = 0; j < 8 && i + j < buffer.Length; j++) buffer[i + j] = (byte)(v >> (8 * j));
        }
    }

    public static byte[] Bytes(int length, ulong seed)
    {
        var b = new byte[length];
        Fill(b, seed);
        return b;
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes where chunk i holds the pattern of chunk (i % period): with period smaller
    /// than the chunk count the file repeats whole chunks, as nodata runs in GeoTIFFs do.
    /// </summary>
    public static string Write(string dir, string name, long length, ulong seed, int period = int.MaxValue)
    {
        var path = Path.Combine(dir, name);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var chunk = new byte[Chunk];
        for (long i = 0, pos = 0; pos < length; i++, pos += Chunk)
        {
            Fill(chunk, seed * 1_000_003UL + (ulong)(i % period));
            fs.Write(chunk, 0, (int)Math.Min(Chunk, length - pos));
        }
        return path;
    }

    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(fs));
    }
}
