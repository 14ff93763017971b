using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Import;

/// <summary>The CID a Kubo node gives a file with <c>ipfs add --only-hash --cid-version=1</c>.</summary>
public static class CidCalculator
{
    private const int ReadSize = 1 << 20;

    /// <summary>Base32 CIDv1 string (<c>bafk…</c> up to 256 KiB, <c>bafy…</c> above).</summary>
    public static string ForFile(string path) => ComputeFile(path).Root.ToString();

    public static string ForStream(Stream stream) => Compute(stream).Root.ToString();

    public static ImportResult ComputeFile(string path, ImporterOptions? options = null)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Compute(fs, options);
    }

    public static ImportResult Compute(Stream stream, ImporterOptions? options = null)
    {
        var builder = new UnixFsFileBuilder(options);
        var buffer = new byte[ReadSize];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) builder.Append(buffer.AsSpan(0, n));
        return builder.Complete();
    }

    public static async Task<ImportResult> ComputeFileAsync(string path, ImporterOptions? options = null, CancellationToken ct = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var builder = new UnixFsFileBuilder(options);
        var buffer = new byte[ReadSize];
        int n;
        while ((n = await fs.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) builder.Append(buffer.AsSpan(0, n));
        return builder.Complete();
    }

    /// <summary>
    /// Whether an existing file re-imports to <paramref name="cid"/> (Kubo's settings for the CID's version, then
    /// Helia's defaults): the check for "already downloaded" that does not trust a file just because it exists.
    /// </summary>
    public static bool FileMatches(string path, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (cid.IsIdentity) return IdentityFileMatches(path, cid);
        ImporterOptions[] profiles = cid.Version == 0 ? [ImporterOptions.KuboV0] : [ImporterOptions.Kubo, ImporterOptions.Helia];
        var builders = profiles.Select(p => new UnixFsFileBuilder(p)).ToList();
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            var buffer = new byte[ReadSize];
            int n;
            while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
                foreach (var b in builders) b.Append(buffer.AsSpan(0, n));
        }
        return builders.Any(b => b.Complete().Root.Equals(cid));
    }

    /// <summary>An identity CID holds its file: export it from the CID and compare the bytes.</summary>
    private static bool IdentityFileMatches(string path, Cid cid)
    {
        var expected = System.IO.Path.GetTempFileName();
        try
        {
            Export.UnixFsExporter.ExportAsync(cid, Retrieval.NoBlocks.Instance, expected).GetAwaiter().GetResult();
            return new FileInfo(path).Length == new FileInfo(expected).Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(expected));
        }
        catch (Export.CidVerificationException)
        {
            return false; // an identity dag-pb node linking to blocks it does not hold: not answerable from the CID
        }
        finally
        {
            File.Delete(expected);
        }
    }

    public static Cid ForBytes(ReadOnlySpan<byte> data, ImporterOptions? options = null)
    {
        var builder = new UnixFsFileBuilder(options);
        builder.Append(data);
        return builder.Complete().Root;
    }
}
