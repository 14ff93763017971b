using System.Security.Cryptography;

namespace CropData.Build.Context;

/// <summary>
/// Verified band files kept by CID under <c>&lt;data_dir&gt;/cache/ipfs/</c>, so a scene that is deselected and selected
/// again, or selected by another dataset of the same data folder, is not downloaded twice. An entry is put only after
/// the fetcher verified it against its CID, as a hard link where the file system allows (no second copy on disk),
/// with its sha256 beside it; taking an entry re-hashes it, so a damaged entry is dropped and fetched again. Entries
/// are written atomically under their CID's name, so concurrent builds putting the same CID agree.
/// </summary>
public static class BandCache
{
    public static bool TryTake(string entry, string destination)
    {
        string sums = entry + ".sha256";
        if (!File.Exists(entry) || !File.Exists(sums)) return false;
        try
        {
            File.Copy(entry, destination, overwrite: true);
            if (Sha256(destination) == File.ReadAllText(sums).Trim()) return true;
        }
        catch (IOException) { }
        // Damaged or half-removed: forget it; the caller fetches (and puts it back).
        Graph.TempFiles.TryDelete(destination);
        Graph.TempFiles.TryDelete(entry);
        Graph.TempFiles.TryDelete(sums);
        return false;
    }

    public static void Put(string entry, string verifiedFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        Graph.AtomicFile.WriteAllText(entry + ".sha256", Sha256(verifiedFile) + "\n", onlyIfChanged: false);
        Graph.AtomicFile.Write(entry, temp =>
        {
            FileLinks.LinkOrCopy(verifiedFile, temp);
        });
    }

    private static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
