namespace CropData.Ipfs.Multiformats;

/// <summary>Unsigned LEB128 varints as multiformats use them (at most 9 bytes, 63 bits, minimally encoded).</summary>
public static class Varint
{
    public const int MaxLength = 9;

    public static int SizeOf(ulong value)
    {
        var n = 1;
        while (value >= 0x80) { value >>= 7; n++; }
        return n;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static byte[] Encode(ulong value)
    {
        var b = new byte[SizeOf(value)];
        Write(b, value);
        return b;
    }

    public static void Write(Stream stream, ulong value)
    {
        Span<byte> b = stackalloc byte[10];
        stream.Write(b[..Write(b, value)]);
    }

    /// <summary>Reads a varint; false when the span ends before the varint does. Throws on a malformed varint.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        for (var i = 0; i < source.Length; i++)
        {
            if (i >= MaxLength) throw new FormatException("varint longer than 9 bytes");
            var b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // The multiformats varint spec requires minimal encoding: a trailing zero group is a second spelling.
                if (b == 0 && i > 0) throw new FormatException("varint is not minimally encoded");
                length = i + 1;
                return true;
            }
        }
        length = 0;
        return false;
    }

    public static ulong Read(ReadOnlySpan<byte> source, out int length)
    {
        if (!TryRead(source, out var v, out length)) throw new FormatException("truncated varint");
        return v;
    }

    /// <summary>Reads a varint from a stream; null at a clean end of stream (no byte read).</summary>
    public static async ValueTask<ulong?> ReadAsync(Stream stream, byte[] scratch, CancellationToken ct)
    {
        ulong value = 0;
        for (var i = 0; ; i++)
        {
            if (i >= MaxLength) throw new FormatException("varint longer than 9 bytes");
            var n = await stream.ReadAsync(scratch.AsMemory(0, 1), ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (i == 0) return null;
                throw new EndOfStreamException("stream ended inside a varint");
            }
            var b = scratch[0];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0) throw new FormatException("varint is not minimally encoded");
                return value;
            }
        }
    }
}
