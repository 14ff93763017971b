using CropData.Ipfs.Car;
using CropData.Ipfs.Multiformats;

namespace CropData.Ipfs.Export;

/// <summary>
/// Serves blocks from a CAR as it streams in. A CAR in depth-first order (Kubo's dag/export, trustless gateways)
/// is consumed in step with the exporter with no buffering; blocks that arrive before they are needed are spilled
/// to a temp file, so any block order verifies with bounded memory. Every section's bytes are hashed once: by the
/// exporter when it is the block asked for, here otherwise. <see cref="FinishAsync"/> reads the rest and rejects
/// blocks that are not in the DAG.
/// </summary>
public sealed class CarStreamBlockProvider : IBlockProvider, IAsyncDisposable
{
    private readonly CarReader _reader;
    private readonly Cid _root;
    private readonly string _spillPath;
    private readonly HashSet<MultihashKey> _delivered = [];
    private readonly Dictionary<MultihashKey, (Cid Cid, long Offset, int Length)> _spilled = [];
    private FileStream? _spill;
    private byte[] _spillBuffer = [];

    public CarStreamBlockProvider(CarReader reader, Cid root, string spillPath)
    {
        _reader = reader;
        _root = root;
        _spillPath = spillPath;
    }

    public long BlocksRead { get; private set; }
    public long BlocksSpilled { get; private set; }

    public async ValueTask<ReadOnlyMemory<byte>?> GetBlockAsync(Cid cid, CancellationToken ct)
    {
        var key = cid.Key;
        if (_spilled.Remove(key, out var loc))
        {
            if (_spillBuffer.Length < loc.Length) _spillBuffer = new byte[loc.Length];
            await RandomAccess.ReadAsync(_spill!.SafeFileHandle, _spillBuffer.AsMemory(0, loc.Length), loc.Offset, ct).ConfigureAwait(false);
            _delivered.Add(key);
            return _spillBuffer.AsMemory(0, loc.Length);
        }
        while (await _reader.ReadBlockAsync(ct).ConfigureAwait(false) is { } block)
        {
            BlocksRead++;
            var bk = block.Cid.Key;
            if (bk.Equals(key))
            {
                // Not hashed here: the exporter hashes every block it is given against the CID it asked for
                // (same multihash), and hashing twice would halve throughput on a busy 2-core machine.
                _delivered.Add(key);
                return block.Data;
            }
            Verify(block);
            if (block.Cid.IsIdentity) continue;                                       // the CID holds it (some writers still emit it)
            if (_delivered.Contains(bk) || _spilled.ContainsKey(bk)) continue;     // a duplicate section (dups=y)
            _spill ??= new FileStream(_spillPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var offset = _spill.Length;
            _spill.Seek(offset, SeekOrigin.Begin);
            await _spill.WriteAsync(block.Data, ct).ConfigureAwait(false);
            await _spill.FlushAsync(ct).ConfigureAwait(false);
            _spilled[bk] = (block.Cid, offset, block.Data.Length);
            BlocksSpilled++;
        }
        return null;
    }

    /// <summary>Reads the CAR to its end; throws when it carried blocks that the file's DAG does not link to.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        var extra = _spilled.Count;
        var first = _spilled.Values.Select(v => v.Cid).FirstOrDefault();
        while (await NextVerifiedAsync(ct).ConfigureAwait(false) is { } block)
        {
            var bk = block.Cid.Key;
            if (block.Cid.IsIdentity || _delivered.Contains(bk) || _spilled.ContainsKey(bk)) continue;
            extra++;
            first ??= block.Cid;
        }
        if (extra > 0) throw new CidVerificationException(_root, $"the CAR holds {extra} block(s) outside the file's DAG (first: {first})");
    }

    private async ValueTask<CarBlock?> NextVerifiedAsync(CancellationToken ct)
    {
        var block = await _reader.ReadBlockAsync(ct).ConfigureAwait(false);
        if (block is not { } b) return null;
        BlocksRead++;
        Verify(b);
        return b;
    }

    private void Verify(CarBlock b)
    {
        bool ok;
        try { ok = b.Cid.Matches(b.Data.Span); }
        catch (NotSupportedException e) { throw new CidVerificationException(_root, $"CAR block {b.Cid}: {e.Message}", e); }
        if (!ok) throw new CidVerificationException(_root, $"CAR block {b.Cid} ({b.Data.Length} bytes) does not hash to its CID");
    }

    public async ValueTask DisposeAsync()
    {
        if (_spill is not null) await _spill.DisposeAsync().ConfigureAwait(false);
    }
}
