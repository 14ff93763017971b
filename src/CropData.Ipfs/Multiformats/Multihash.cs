using System.Security.Cryptography;

namespace CropData.Ipfs.Multiformats;

/// <summary>
/// The multihash functions a block can be verified with (codes: multiformats/multicodec): identity (the digest is the
/// block), sha2-256 (what Kubo makes by default), sha2-512 (<c>ipfs add --hash sha2-512</c>), blake2b-256 (Filecoin
/// and go-car's fixtures, Konscious.Security.Cryptography.Blake2) and blake3 (the Blake3 package). A digest shorter
/// than the function's output is a truncated multihash and is compared as a prefix, as the multihash spec allows.
/// </summary>
public static class Multihash
{
    public static bool IsVerifiable(ulong function) => OutputLength(function) is not null;

    /// <summary>The function's full digest length in bytes; null for functions this library cannot compute.</summary>
    public static int? OutputLength(ulong function) => function switch
    {
        Multicodec.Sha2_256 => 32,
        Multicodec.Sha2_512 => 64,
        Multicodec.Blake2b_256 => 32,
        Multicodec.Blake3 => 32,
        _ => null,
    };

    /// <summary>True when <paramref name="block"/> hashes to <paramref name="digest"/> under <paramref name="function"/>.</summary>
    /// <exception cref="NotSupportedException">the function is none of the verifiable ones.</exception>
    public static bool Verify(ulong function, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> block)
    {
        if (function == Multicodec.Identity) return block.SequenceEqual(digest);
        int full = OutputLength(function)
                   ?? throw new NotSupportedException($"hash function {Multicodec.Name(function)} is not verifiable here (verifiable: {string.Join(", ", Verifiable.Select(Multicodec.Name))})");
        if (digest.Length == 0 || digest.Length > full) return false;
        Span<byte> computed = stackalloc byte[full];
        Compute(function, block, computed);
        return computed[..digest.Length].SequenceEqual(digest);
    }

    /// <summary>Every function <see cref="Verify"/> accepts, identity first.</summary>
    public static IReadOnlyList<ulong> Verifiable { get; } =
        [Multicodec.Identity, Multicodec.Sha2_256, Multicodec.Sha2_512, Multicodec.Blake2b_256, Multicodec.Blake3];

    private static void Compute(ulong function, ReadOnlySpan<byte> block, Span<byte> output)
    {
        switch (function)
        {
            case Multicodec.Sha2_256:
                SHA256.HashData(block, output);
                break;
            case Multicodec.Sha2_512:
                SHA512.HashData(block, output);
                break;
            case Multicodec.Blake2b_256:
                // Unkeyed BLAKE2b with a 32-byte output length in its parameter block (not a truncated blake2b-512).
                using (var blake2b = new Konscious.Security.Cryptography.HMACBlake2B(256))
                    blake2b.ComputeHash(block.ToArray()).CopyTo(output);
                break;
            case Multicodec.Blake3:
                Blake3.Hasher.Hash(block, output);
                break;
            default:
                throw new NotSupportedException($"hash function {Multicodec.Name(function)}");
        }
    }
}
