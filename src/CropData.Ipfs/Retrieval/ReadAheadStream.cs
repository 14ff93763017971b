using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace CropData.Ipfs.Retrieval;

/// <summary>
/// Receives a response body on a background task into a few pooled buffers, so that receiving overlaps with
/// hashing and writing on the consumer side (the two otherwise take turns, and verification costs its full CPU
/// time on top of the transfer). Memory is bounded by depth x buffer size. An error of the inner stream surfaces
/// after every byte received before it has been read, so a resume starts exactly where the transfer broke.
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    private const int BufferSize = 1 << 20;
    private const int MinFill = 256 * 1024;
    private readonly Stream _inner;
    private readonly Channel<(byte[] Buffer, int Length)> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Exception? _error;
    private bool _disposed;
    private byte[]? _current;
    private int _currentLength, _currentPos;

    public ReadAheadStream(Stream inner, int depth = 8)
    {
        _inner = inner;
        _channel = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(PumpAsync);
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var filled = 0;
                try
                {
                    while (filled < MinFill)
                    {
                        var r = await _inner.ReadAsync(buffer.AsMemory(filled, BufferSize - filled), _stop.Token).ConfigureAwait(false);
                        if (r == 0) break;
                        filled += r;
                    }
                }
                catch
                {
                    // Bytes received before the error are delivered first, so a resume starts at the exact break.
                    if (filled > 0) await _channel.Writer.WriteAsync((buffer, filled), _stop.Token).ConfigureAwait(false);
                    else ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                await _channel.Writer.WriteAsync((buffer, filled), _stop.Token).ConfigureAwait(false);
            }
            _channel.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _error = e;
            _channel.Writer.TryComplete();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
    {
        if (destination.IsEmpty) return 0;
        if (_current is null || _currentPos == _currentLength)
        {
            if (_current is not null) { ArrayPool<byte>.Shared.Return(_current); _current = null; }
            if (!await _channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false) || !_channel.Reader.TryRead(out var next))
            {
                if (_error is not null) ExceptionDispatchInfo.Throw(_error);
                return 0;
            }
            (_current, _currentLength) = next;
            _currentPos = 0;
        }
        var n = Math.Min(destination.Length, _currentLength - _currentPos);
        _current.AsSpan(_currentPos, n).CopyTo(destination.Span);
        _currentPos += n;
        return n;
    }


    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        // Stop the pump before the inner stream goes: a read in flight must not meet a disposed stream.
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _pump.ConfigureAwait(false); } catch (Exception) { }
        await _inner.DisposeAsync().ConfigureAwait(false);
        ReturnBuffers();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try { _pump.Wait(); } catch (Exception) { }
            _inner.Dispose();
            ReturnBuffers();
        }
        base.Dispose(disposing);
    }

    private void ReturnBuffers()
    {
        while (_channel.Reader.TryRead(out var b)) ArrayPool<byte>.Shared.Return(b.Buffer);
        if (_current is not null) { ArrayPool<byte>.Shared.Return(_current); _current = null; }
        _stop.Dispose();
    }
}
