using System.Net;
using System.Net.Http.Headers;

namespace CropData.Geo;

/// <summary>Progress of one download: bytes on disk so far (including a resumed part) and the total when known.</summary>
public sealed record FetchProgress(string Path, string Url, long Bytes, long? TotalBytes);

/// <summary>A file fetched into place; <see cref="Sha256"/> is what to pin when the entry was unpinned.</summary>
public sealed record FetchResult(ManifestEntry Entry, string FullPath, string Sha256, long Size, bool WasPinned);

/// <summary>An input could not be downloaded; the message says exactly what to fetch by hand and where to put it.</summary>
public sealed class InputDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A download finished but its bytes are not the pinned ones; the partial file has been deleted.</summary>
public sealed class ChecksumMismatchException(string message) : Exception(message);

/// <summary>
/// Downloads manifest entries that are missing on disk: into <c>&lt;path&gt;.part</c>, resuming with an HTTP Range
/// request after a cut connection (or from a part left by an earlier run), checking sha256, then renaming into
/// place — so a file at its final path is always complete and verified.
/// </summary>
public sealed class PinnedInputFetcher(HttpClient http, string repoRoot)
{
    /// <summary>Attempts per file, counting resumes after cut connections.</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>When true nothing is downloaded: missing inputs fail at once with manual instructions.</summary>
    public bool Offline { get; init; }

    public const string PartSuffix = ".part";

    public async Task<IReadOnlyList<FetchResult>> FetchMissingAsync(IEnumerable<ManifestEntry> entries,
        Action<FetchProgress>? progress = null, CancellationToken ct = default)
    {
        var missing = entries.Where(e => !File.Exists(DataManifest.FullPath(repoRoot, e))).ToList();
        if (missing.Count == 0) return [];
        if (Offline)
            throw new InputDownloadException("offline: these inputs are missing.\n" + string.Join("\n", missing.Select(Instructions)));
        var results = new List<FetchResult>();
        foreach (var e in missing) results.Add(await FetchAsync(e, progress, ct).ConfigureAwait(false));
        return results;
    }

    /// <summary>"download URL and put it at PATH (sha256 …)" for one entry.</summary>
    public string Instructions(ManifestEntry e) =>
        $"  download {e.Url ?? "(no url in the manifest)"}\n  and put it at {DataManifest.FullPath(repoRoot, e)}" +
        (e.Sha256 is { } s ? $" (sha256 {s}" + (e.Size is { } n ? $", {n} bytes)" : ")") : $" ({e.Note ?? "not pinned"})");

    private async Task<FetchResult> FetchAsync(ManifestEntry e, Action<FetchProgress>? progress, CancellationToken ct)
    {
        if (e.Url is null) throw new InputDownloadException($"{e.Path} is missing and the manifest gives no url for it:\n{Instructions(e)}");
        var dest = DataManifest.FullPath(repoRoot, e);
        var part = dest + PartSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        Exception? last = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (attempt > 1) await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
            try
            {
                if (await DownloadOnceAsync(e, part, progress, ct).ConfigureAwait(false)) break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                // A cut connection leaves a valid prefix in the .part file; the next attempt asks for the rest.
                last = ex;
                if (attempt == MaxAttempts)
                    throw new InputDownloadException(
                        $"could not download {e.Path} after {MaxAttempts} attempts ({ex.Message}).\n{Instructions(e)}", ex);
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                last = ex;
                if (attempt == MaxAttempts)
                    throw new InputDownloadException($"download of {e.Path} timed out {MaxAttempts} times.\n{Instructions(e)}", ex);
            }
        }
        if (!File.Exists(part)) throw new InputDownloadException($"download of {e.Path} produced no file.\n{Instructions(e)}", last);

        var sha = DataManifest.Sha256Of(part);
        var size = new FileInfo(part).Length;
        if (e.Sha256 is { } pin && pin != sha)
        {
            File.Delete(part);
            throw new ChecksumMismatchException(
                $"{e.Url} gave {size} bytes with sha256 {sha}, but the manifest pins {pin} for {e.Path}; " +
                "the download was deleted. The server's file changed or is corrupt: check it, then update data.manifest.json deliberately.");
        }
        File.Move(part, dest, overwrite: false);
        return new FetchResult(e, dest, sha, size, e.IsPinned);
    }

    /// <summary>One request; true when the .part file is complete.</summary>
    private async Task<bool> DownloadOnceAsync(ManifestEntry e, string part, Action<FetchProgress>? progress, CancellationToken ct)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (e.Size is { } expected && have > expected) { File.Delete(part); have = 0; }
        using var req = new HttpRequestMessage(HttpMethod.Get, e.Url);
        if (have > 0) req.Headers.Range = new RangeHeaderValue(have, null);
        using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);

        if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // The part already holds every byte (a run died between download and rename).
            var total = resp.Content.Headers.ContentRange?.Length;
            if (total == have) return true;
            File.Delete(part);
            throw new IOException($"server refused range {have}- for {e.Url}; restarting from byte 0");
        }
        if (!resp.IsSuccessStatusCode)
        {
            var msg = $"{e.Url} answered {(int)resp.StatusCode} {resp.ReasonPhrase}";
            if ((int)resp.StatusCode >= 500 || resp.StatusCode == HttpStatusCode.TooManyRequests) throw new HttpRequestException(msg);
            throw new InputDownloadException($"{msg}.\n{Instructions(e)}");
        }

        var append = have > 0 && resp.StatusCode == HttpStatusCode.PartialContent &&
                     resp.Content.Headers.ContentRange is { From: { } from } && from == have;
        if (!append) have = 0;   // a 200 (server ignores Range) restarts the file
        long? totalBytes = resp.Content.Headers.ContentRange?.Length ?? (resp.Content.Headers.ContentLength is { } cl ? cl + have : null);

        await using (var output = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var input = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            var done = have;
            progress?.Invoke(new FetchProgress(e.Path, e.Url!, done, totalBytes));
            int n;
            while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                done += n;
                progress?.Invoke(new FetchProgress(e.Path, e.Url!, done, totalBytes));
            }
        }
        var length = new FileInfo(part).Length;
        // A body that ends early without an error (server closed cleanly) is still a cut: resume it.
        if (totalBytes is { } t && length < t) throw new IOException($"connection closed after {length} of {t} bytes of {e.Url}");
        return true;
    }
}
