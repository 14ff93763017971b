using System.Buffers.Binary;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Car;

/// <summary>A CAR section: a block's CID and bytes, and where the bytes start in the underlying stream.</summary>
public readonly record struct CarBlock(Cid Cid, ReadOnlyMemory<byte> Data, long DataOffset);

/// <summary>
/// Streaming CAR reader: one section in memory at a time. Reads CARv1, and CARv2 by skipping to its inner CARv1
/// payload (the index is ignored). Block bytes are not verified here; verification is the caller's job because
/// only the caller knows which CIDs it expects.
/// </summary>
public sealed class CarReader : IDisposable, IAsyncDisposable
{
    /// <summary>Kubo refuses blocks over 2 MiB on bitswap; 8 MiB leaves room while bounding memory per section.</summary>
    public const int DefaultMaxSectionLength = 8 << 20;

    private const int MaxHeaderLength = 1 << 20;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _maxSection;
    private readonly byte[] _scratch = new byte[1];
    private byte[] _buffer = new byte[64 * 1024];
    private long _position;
    private long _end = long.MaxValue;

    private CarReader(Stream stream, bool leaveOpen, int maxSection)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _maxSection = maxSection;
    }

    public CarHeader Header { get; private set; } = null!;

    /// <summary>1 or 2: the container version of the stream (the payload read is always CARv1).</summary>
    public int ContainerVersion { get; private set; }

    public static async Task<CarReader> OpenAsync(Stream stream, bool leaveOpen = false, int maxSectionLength = DefaultMaxSectionLength, CancellationToken ct = default)
    {
        var r = new CarReader(stream, leaveOpen, maxSectionLength);
        try
        {
            await r.ReadHeaderAsync(ct).ConfigureAwait(false);
            return r;
        }
        catch
        {
            await r.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReadHeaderAsync(CancellationToken ct)
    {
        var header = await ReadHeaderBlockAsync(ct).ConfigureAwait(false);
        ContainerVersion = header.Version;
        if (header.Version == 2)
        {
            // CARv2: 11-byte pragma, then 40 bytes: characteristics (16), data offset, data size, index offset (u64 LE).
            var fixedHeader = new byte[40];
            await ReadExactlyAsync(fixedHeader, ct).ConfigureAwait(false);
            var dataOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(fixedHeader.AsSpan(16));
            var dataSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(fixedHeader.AsSpan(24));
            if (dataOffset < _position || dataSize < 0) throw new FormatException("CARv2 header has an invalid data offset");
            await SkipAsync(dataOffset - _position, ct).ConfigureAwait(false);
            _end = dataOffset + dataSize;
            header = await ReadHeaderBlockAsync(ct).ConfigureAwait(false);
        }
        if (header.Version != 1) throw new FormatException($"unsupported CAR version {header.Version}");
        Header = header;
    }

    private async Task<CarHeader> ReadHeaderBlockAsync(CancellationToken ct)
    {
        var len = await ReadVarintAsync(ct).ConfigureAwait(false) ?? throw new EndOfStreamException("empty CAR stream");
        if (len == 0 || len > MaxHeaderLength) throw new FormatException($"CAR header length {len} is invalid");
        var bytes = new byte[len];
        await ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return CarHeader.Decode(bytes);
    }

    /// <summary>Next section, or null at the end. The returned <see cref="CarBlock.Data"/> is valid until the next call.</summary>
    public async ValueTask<CarBlock?> ReadBlockAsync(CancellationToken ct = default)
    {
        if (_position >= _end) return null;
        var start = _position;
        var len = await ReadVarintAsync(ct).ConfigureAwait(false);
        if (len is null) return null;
        // A zero-length section ends the data: Lotus pads its exports with zeros, and go-car reads them as the end.
        if (len == 0)
        {
            _position = _end;
            return null;
        }
        if (len > (ulong)_maxSection) throw new FormatException($"CAR section at byte {start} is {len} bytes, over the {_maxSection}-byte limit");
        if (_buffer.Length < (int)len) _buffer = new byte[Math.Max((int)len, _buffer.Length * 2)];
        var section = _buffer.AsMemory(0, (int)len);
        await ReadExactlyAsync(section, ct).ConfigureAwait(false);
        Cid cid;
        int cidLength;
        try { cid = Cid.Read(section.Span, out cidLength); }
        catch (FormatException e) { throw new FormatException($"CAR section at byte {start} does not start with a valid CID: {e.Message}", e); }
        var dataOffset = _position - (long)len + cidLength;
        return new CarBlock(cid, section[cidLength..], dataOffset);
    }

    private async ValueTask<ulong?> ReadVarintAsync(CancellationToken ct)
    {
        var v = await Varint.ReadAsync(_stream, _scratch, ct).ConfigureAwait(false);
        if (v is { } x) _position += Varint.SizeOf(x);
        return v;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new EndOfStreamException($"CAR stream is truncated: it ended inside the section or header starting near byte {_position}", e);
        }
        _position += buffer.Length;
    }

    private async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            var n = (int)Math.Min(count, _buffer.Length);
            await ReadExactlyAsync(_buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            count -= n;
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
