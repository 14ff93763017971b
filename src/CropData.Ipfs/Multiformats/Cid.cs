using System.Security.Cryptography;

namespace CropData.Ipfs.Multiformats;

/// <summary>
/// A content identifier: version 0 (a bare sha2-256 multihash of a dag-pb block, base58btc <c>Qm…</c>) or
/// version 1 (varint version, varint content codec, multihash). Immutable; equality is over the binary form, so
/// a CIDv0 and the CIDv1 of the same block are different CIDs with the same <see cref="Multihash"/>.
/// </summary>
public sealed class Cid : IEquatable<Cid>
{
    private readonly byte[] _bytes;      // the binary CID
    private readonly int _multihashStart;

    private Cid(byte[] bytes, int version, ulong codec, int multihashStart, ulong hashCode, int digestLength)
    {
        _bytes = bytes;
        Version = version;
        Codec = codec;
        _multihashStart = multihashStart;
        HashFunction = hashCode;
        DigestLength = digestLength;
    }

    public int Version { get; }

    /// <summary>Content codec of the block (<see cref="Multicodec.DagPb"/>, <see cref="Multicodec.Raw"/>, …).</summary>
    public ulong Codec { get; }

    /// <summary>Multihash function code (<see cref="Multicodec.Sha2_256"/> for everything Kubo makes by default).</summary>
    public ulong HashFunction { get; }

    public int DigestLength { get; }

    /// <summary>The multihash (function code, length, digest): the identity of the block's bytes.</summary>
    public ReadOnlySpan<byte> Multihash => _bytes.AsSpan(_multihashStart);

    public ReadOnlySpan<byte> Digest => _bytes.AsSpan(_bytes.Length - DigestLength);

    public ReadOnlySpan<byte> Bytes => _bytes;

    public int ByteLength => _bytes.Length;

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public MultihashKey Key => new(_bytes.AsMemory(_multihashStart));

    /// <summary>A CID over <paramref name="block"/> hashed with sha2-256.</summary>
    public static Cid Compute(ReadOnlySpan<byte> block, ulong codec, int version = 1)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(block, digest);
        return FromDigest(codec, digest, version);
    }

    public static Cid FromDigest(ulong codec, ReadOnlySpan<byte> sha256Digest, int version = 1)
    {
        if (sha256Digest.Length != 32) throw new ArgumentException("a sha2-256 digest has 32 bytes", nameof(sha256Digest));
        if (version == 0)
        {
            if (codec != Multicodec.DagPb) throw new ArgumentException("CIDv0 can only address dag-pb blocks", nameof(codec));
            var b0 = new byte[34];
            b0[0] = 0x12; b0[1] = 0x20;
            sha256Digest.CopyTo(b0.AsSpan(2));
            return new Cid(b0, 0, codec, 0, Multicodec.Sha2_256, 32);
        }
        if (version != 1) throw new ArgumentOutOfRangeException(nameof(version), version, "CID version must be 0 or 1");
        var prefix = 1 + Varint.SizeOf(codec);
        var b = new byte[prefix + 34];
        b[0] = 1;
        Varint.Write(b.AsSpan(1), codec);
        b[prefix] = 0x12; b[prefix + 1] = 0x20;
        sha256Digest.CopyTo(b.AsSpan(prefix + 2));
        return new Cid(b, 1, codec, prefix, Multicodec.Sha2_256, 32);
    }

    /// <summary>Reads a binary CID at the start of <paramref name="source"/> (CAR sections, dag-pb links).</summary>
    public static Cid Read(ReadOnlySpan<byte> source, out int length)
    {
        // A binary CIDv0 is a bare sha2-256 multihash; no CIDv1 starts with 0x12 (that would be version 18).
        if (source.Length >= 2 && source[0] == 0x12 && source[1] == 0x20)
        {
            if (source.Length < 34) throw new FormatException("truncated CIDv0");
            length = 34;
            return new Cid(source[..34].ToArray(), 0, Multicodec.DagPb, 0, Multicodec.Sha2_256, 32);
        }
        var pos = 0;
        var version = Varint.Read(source, out var n); pos += n;
        if (version != 1) throw new FormatException($"unsupported CID version {version}");
        var codec = Varint.Read(source[pos..], out n); pos += n;
        var mhStart = pos;
        var hash = Varint.Read(source[pos..], out n); pos += n;
        var digestLength = Varint.Read(source[pos..], out n); pos += n;
        if (digestLength > 128) throw new FormatException($"multihash digest length {digestLength} is implausible");
        if (source.Length - pos < (int)digestLength) throw new FormatException("truncated multihash digest");
        pos += (int)digestLength;
        length = pos;
        return new Cid(source[..pos].ToArray(), 1, codec, mhStart, hash, (int)digestLength);
    }

    public static Cid FromBytes(ReadOnlySpan<byte> bytes)
    {
        var cid = Read(bytes, out var n);
        if (n != bytes.Length) throw new FormatException($"{bytes.Length - n} trailing byte(s) after the CID");
        return cid;
    }

    /// <summary>Parses <c>Qm…</c> (CIDv0) or any multibase CIDv1 string (<c>bafy…</c>, <c>bafk…</c>, <c>zdj7…</c>, …).</summary>
    public static Cid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
            {
                var mh = Multibase.DecodeBase58Btc(text);
                if (mh.Length != 34 || mh[0] != 0x12 || mh[1] != 0x20) throw new FormatException("not a sha2-256 multihash");
                return new Cid(mh, 0, Multicodec.DagPb, 0, Multicodec.Sha2_256, 32);
            }
            var cid = FromBytes(Multibase.Decode(text));
            if (cid.Version == 0) throw new FormatException("a CIDv0 must be written in plain base58btc (Qm…)");
            return cid;
        }
        catch (FormatException e)
        {
            throw new FormatException($"'{text}' is not a valid CID: {e.Message}", e);
        }
    }

    public static bool TryParse(string? text, out Cid? cid)
    {
        cid = null;
        if (text is null) return false;
        try { cid = Parse(text); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>CIDv0 as base58btc (<c>Qm…</c>), CIDv1 as base32 lower (<c>bafy…</c>), the forms Kubo prints.</summary>
    public override string ToString() =>
        Version == 0 ? Multibase.EncodeBase58Btc(_bytes) : "b" + Multibase.EncodeBase32(_bytes);

    /// <summary>CIDv1 in base58btc (<c>zdj7…</c>/<c>zb2…</c>), as js-ipfs prints it by default.</summary>
    public string ToBase58String() => Version == 0 ? ToString() : "z" + Multibase.EncodeBase58Btc(_bytes);

    public Cid ToV1()
    {
        if (Version == 1) return this;
        var b = new byte[2 + _bytes.Length];
        b[0] = 1; b[1] = (byte)Multicodec.DagPb;
        _bytes.CopyTo(b, 2);
        return new Cid(b, 1, Multicodec.DagPb, 2, HashFunction, DigestLength);
    }

    /// <summary>True when <paramref name="block"/> hashes to this CID's multihash (see <see cref="Multiformats.Multihash"/> for the functions).</summary>
    /// <exception cref="NotSupportedException">the CID's hash function cannot be computed here.</exception>
    public bool Matches(ReadOnlySpan<byte> block)
    {
        try
        {
            return Multiformats.Multihash.Verify(HashFunction, Digest, block);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"CID {this}: {e.Message}", e);
        }
    }

    /// <summary>An identity CID holds its block in the digest: the bytes need no source and no verification.</summary>
    public bool IsIdentity => HashFunction == Multicodec.Identity;

    public bool Equals(Cid? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);
    public override bool Equals(object? obj) => Equals(obj as Cid);
    public override int GetHashCode() => Key.GetHashCode();
    public static bool operator ==(Cid? a, Cid? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Cid? a, Cid? b) => !(a == b);
}

/// <summary>A multihash as a dictionary key: blocks are stored and matched by multihash, whatever CID version or codec names them.</summary>
public readonly struct MultihashKey : IEquatable<MultihashKey>
{
    private readonly ReadOnlyMemory<byte> _mh;
    public MultihashKey(ReadOnlyMemory<byte> multihash) => _mh = multihash;
    public ReadOnlySpan<byte> Span => _mh.Span;
    public bool Equals(MultihashKey other) => _mh.Span.SequenceEqual(other._mh.Span);
    public override bool Equals(object? obj) => obj is MultihashKey k && Equals(k);
    public override int GetHashCode()
    {
        var s = _mh.Span;
        // The digest tail is uniformly distributed; 8 bytes of it make a good hash.
        return s.Length >= 8 ? HashCode.Combine(BitConverter.ToInt64(s[^8..])) : HashCode.Combine(s.Length);
    }
}
