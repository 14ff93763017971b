namespace CropData.Ipfs.Multiformats;

/// <summary>The multicodec codes this library handles (table: multiformats/multicodec).</summary>
public static class Multicodec
{
    public const ulong Identity = 0x00;
    public const ulong Sha2_256 = 0x12;
    public const ulong Sha2_512 = 0x13;
    public const ulong Blake3 = 0x1e;
    public const ulong Blake2b_256 = 0xb220;
    public const ulong Raw = 0x55;
    public const ulong DagPb = 0x70;
    public const ulong DagCbor = 0x71;

    public static string Name(ulong code) => code switch
    {
        Identity => "identity",
        Sha2_256 => "sha2-256",
        Sha2_512 => "sha2-512",
        Blake3 => "blake3",
        Blake2b_256 => "blake2b-256",
        Raw => "raw",
        DagPb => "dag-pb",
        DagCbor => "dag-cbor",
        _ => "0x" + code.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
    };
}
