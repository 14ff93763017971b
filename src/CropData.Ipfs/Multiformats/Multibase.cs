using System.Numerics;

namespace CropData.Ipfs.Multiformats;

/// <summary>The multibase encodings CIDs appear in: base32 (b/B), base58btc (z), base16 (f/F), base64/base64url (m/u).</summary>
public static class Multibase
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly sbyte[] Base58Map = BuildMap(Base58Alphabet, ignoreCase: false);
    private static readonly sbyte[] Base32Map = BuildMap(Base32Alphabet, ignoreCase: true);

    private static sbyte[] BuildMap(string alphabet, bool ignoreCase)
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (var i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = (sbyte)i;
            if (ignoreCase) map[char.ToUpperInvariant(alphabet[i])] = (sbyte)i;
        }
        return map;
    }

    /// <summary>Decodes a multibase string (prefix included).</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2) throw new FormatException($"'{text}' is too short for a multibase string");
        var body = text.AsSpan(1);
        return text[0] switch
        {
            'b' => DecodeBase32(body, upper: false),
            'B' => DecodeBase32(body, upper: true),
            'z' => DecodeBase58Btc(body),
            'f' or 'F' => Convert.FromHexString(body),
            'm' => Convert.FromBase64String(PadBase64(body.ToString())),
            'u' => Convert.FromBase64String(PadBase64(body.ToString().Replace('-', '+').Replace('_', '/'))),
            _ => throw new FormatException($"unsupported multibase prefix '{text[0]}' in '{text}'"),
        };
    }

    private static string PadBase64(string s) => (s.Length % 4) switch { 2 => s + "==", 3 => s + "=", _ => s };

    public static string EncodeBase32(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, j = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[j++] = Base32Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0) chars[j++] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, j);
    }

    public static byte[] DecodeBase32(ReadOnlySpan<char> text, bool upper = false)
    {
        var result = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, j = 0;
        foreach (var c in text)
        {
            // Multibase 'b' is lower case only and 'B' upper case only; a mixed string is two different encodings.
            if (c >= 128 || Base32Map[c] < 0 || (upper ? char.IsLower(c) : char.IsUpper(c)))
                throw new FormatException($"'{c}' is not a base32{(upper ? "upper" : "")} character");
            buffer = (buffer << 5) | (byte)Base32Map[c];
            bits += 5;
            if (bits >= 8)
            {
                result[j++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) throw new FormatException("base32 string has non-zero or excess padding bits");
        return result;
    }

    public static string EncodeBase58Btc(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0) zeros++;
        var n = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var sb = new System.Text.StringBuilder();
        while (n > 0)
        {
            n = BigInteger.DivRem(n, 58, out var rem);
            sb.Insert(0, Base58Alphabet[(int)rem]);
        }
        sb.Insert(0, new string('1', zeros));
        return sb.ToString();
    }

    public static byte[] DecodeBase58Btc(ReadOnlySpan<char> text)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        BigInteger n = 0;
        foreach (var c in text)
        {
            if (c >= 128 || Base58Map[c] < 0) throw new FormatException($"'{c}' is not a base58btc character");
            n = n * 58 + Base58Map[c];
        }
        var body = n.IsZero ? [] : n.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[zeros + body.Length];
        body.CopyTo(result, zeros);
        return result;
    }
}
