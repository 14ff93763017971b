using CropData.Ipfs.Car;
using CropData.Ipfs.Export;
using CropData.Ipfs.Import;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Retrieval;

/// <summary>The two ways a source's bytes are verified: block by block from a CAR, or by re-importing plain file bytes.</summary>
internal static class Verification
{
    /// <summary>Reads a CAR stream and writes the file it carries, verifying every block against the DAG of <paramref name="root"/>.</summary>
    public static async Task<long> ExportCarAsync(Cid root, Stream body, string outputPath, SourceFetchContext ctx, CancellationToken ct)
    {
        CarReader reader;
        try
        {
            reader = await CarReader.OpenAsync(body, leaveOpen: true, ct: ct).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            throw new IpfsSourceException(SourceFailureKind.Invalid, $"the response is not a CAR: {e.Message}", e);
        }
        await using (reader.ConfigureAwait(false))
        {
            var provider = new CarStreamBlockProvider(reader, root, ctx.SpillPath);
            await using (provider.ConfigureAwait(false))
            {
                long size;
                try
                {
                    size = await UnixFsExporter.ExportAsync(root, provider, outputPath, ctx.OnBytes, ctx.Options.MaxFileBytes, ct).ConfigureAwait(false);
                    await provider.FinishAsync(ct).ConfigureAwait(false);
                }
                catch (FormatException e)
                {
                    throw new IpfsSourceException(SourceFailureKind.Invalid, $"malformed CAR: {e.Message}", e);
                }
                return size;
            }
        }
    }

    /// <summary>Importer settings a plain-bytes download is re-imported with: Kubo's for the CID's version, then Helia's defaults.</summary>
    public static IReadOnlyList<ImporterOptions> ProfilesFor(Cid cid) =>
        cid.Version == 0 ? [ImporterOptions.KuboV0] : [ImporterOptions.Kubo, ImporterOptions.Helia];

    /// <summary>Opens the body at a byte offset; returns the stream and the offset it really starts at (0 if the server ignored the range).</summary>
    public delegate Task<(Stream Body, long Start)> OpenAt(long offset, CancellationToken ct);

    /// <summary>
    /// Downloads plain file bytes to <paramref name="outputPath"/> while re-importing them, resuming a broken transfer
    /// at the byte where it broke, and accepts them only if the re-import gives <paramref name="cid"/>.
    /// </summary>
    public static async Task<long> DownloadAndReimportAsync(Cid cid, OpenAt open, string outputPath, SourceFetchContext ctx, string what, CancellationToken ct)
    {
        // Hashed inline with the first profile only; the others re-read the written file if it does not match,
        // so the common case hashes once.
        var profiles = ProfilesFor(cid);
        var builder = new UnixFsFileBuilder(profiles[0]);
        await using var file = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        // Bodies come through a ReadAheadStream, whose reads return 256 KiB-1 MiB at once (one write per few KB
        // read would cost more than the verification). Plain reads, not ReadAtLeast: bytes received before a break
        // must be counted, so that the resume starts exactly at the break.
        var buffer = new byte[1 << 20];
        long offset = 0;
        var resumes = 0;
        while (true)
        {
            var (body, start) = await open(offset, ct).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                if (start != offset)
                {
                    if (start != 0) throw new IpfsSourceException(SourceFailureKind.Invalid, $"{what}: asked to resume at byte {offset}, the answer starts at byte {start}");
                    // The server ignored the Range request: start over.
                    builder = new UnixFsFileBuilder(profiles[0]);
                    file.SetLength(0);
                    file.Position = 0;
                    offset = 0;
                }
                try
                {
                    int n;
                    while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        if (offset + n > ctx.Options.MaxFileBytes)
                            throw new IpfsSourceException(SourceFailureKind.Invalid, $"{what}: the body is larger than the {ctx.Options.MaxFileBytes}-byte limit");
                        var chunk = buffer.AsMemory(0, n);
                        var write = file.WriteAsync(chunk, ct);
                        builder.Append(chunk.Span);
                        await write.ConfigureAwait(false);
                        offset += n;
                        ctx.OnBytes?.Invoke(offset);
                    }
                    break;
                }
                catch (Exception e) when (e is IOException or TimeoutException or HttpRequestException && !ct.IsCancellationRequested && resumes < ctx.Options.MaxResumes)
                {
                    // A broken transfer resumes where it broke instead of starting the attempt over.
                    resumes++;
                }
            }
        }
        await file.FlushAsync(ct).ConfigureAwait(false);
        await file.DisposeAsync().ConfigureAwait(false);
        var results = new List<Cid> { builder.Complete().Root };
        if (results[0].Equals(cid)) return offset;
        foreach (var profile in profiles.Skip(1))
        {
            results.Add((await CidCalculator.ComputeFileAsync(outputPath, profile, ct).ConfigureAwait(false)).Root);
            if (results[^1].Equals(cid)) return offset;
        }
        var got = string.Join(", ", results.Select((r, i) => $"{r} ({profiles[i].Name})"));
        throw new CidVerificationException(cid, $"{what}: the {offset} bytes received re-import to {got}, not to {cid}") { LayoutNotReproduced = true };
    }
}
