using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Export;

/// <summary>Bytes or DAG structure that do not match the CID asked for: wrong hash, wrong sizes, missing or foreign blocks.</summary>
public sealed class CidVerificationException(Cid root, string message, Exception? inner = null)
    : Exception($"verification of {root} failed: {message}", inner)
{
    public Cid Root { get; } = root;

    /// <summary>What failed, without the "verification of … failed" prefix.</summary>
    public string Detail { get; } = message;

    /// <summary>
    /// Plain bytes re-imported to another CID. Wrong bytes and a file added with a layout no re-import profile
    /// reproduces (chunker, raw leaves, CID version) look the same here; the file's DAG tells them apart.
    /// </summary>
    public bool LayoutNotReproduced { get; init; }
}
