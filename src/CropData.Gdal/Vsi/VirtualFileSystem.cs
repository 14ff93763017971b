using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CropData.Gdal.Native;

namespace CropData.Gdal.Vsi;

/// <summary>
/// Read-only GDAL virtual file systems backed by managed code (<c>/vsiipfs/CID</c>), through GDAL's plugin API. The
/// callbacks are static <see cref="UnmanagedCallersOnly"/> functions (nothing for the GC to collect) and never let an
/// exception cross into GDAL: a failure becomes an error return to GDAL, GDAL's last error message, and the
/// <see cref="Failure"/> of the calling thread, which <see cref="Cpl.LastError"/> appends so that the GdalException
/// the caller gets names the file (and the block) that failed rather than only GDAL's "read failed".
/// </summary>
public static unsafe class VirtualFileSystem
{
    private static readonly ConcurrentDictionary<string, IVirtualFileProvider> Providers = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    [ThreadStatic] private static Exception? _failure;

    /// <summary>The last failure of a virtual file callback on this thread since <see cref="ClearFailure"/>, or null.</summary>
    public static Exception? Failure => _failure;

    public static void ClearFailure() => _failure = null;

    /// <summary>Failures of callbacks on any thread since the process started (a check that no read was swallowed).</summary>
    public static long FailureCount => Interlocked.Read(ref _failureCount);
    private static long _failureCount;

    /// <summary>
    /// Serves <paramref name="prefix"/> (like <c>/vsiipfs/</c>: starts and ends with '/') from <paramref name="provider"/>.
    /// GDAL's handler is installed once per prefix; registering again replaces the provider (files already open keep theirs).
    /// </summary>
    public static void Register(string prefix, IVirtualFileProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (prefix.Length < 3 || prefix[0] != '/' || prefix[^1] != '/') throw new ArgumentException($"'{prefix}' must start and end with '/'", nameof(prefix));
        GdalRuntime.EnsureInitialised();
        _ = VsiPlugin.StatOffsets();
        lock (Gate)
        {
            var installed = Providers.ContainsKey(prefix);
            Providers[prefix] = provider;
            if (installed) return;
            var cb = VsiPlugin.VSIAllocFilesystemPluginCallbacksStruct();
            if (cb == 0) throw new GdalException($"{prefix}: GDAL could not allocate the plugin callbacks: {Cpl.LastError()}");
            try
            {
                // The user data is the prefix, an immortal native string: the callbacks find their provider by it.
                var native = Marshal.StringToCoTaskMemUTF8(prefix);
                VsiPlugin.Set(cb, VsiPlugin.Field.UserData, native);
                VsiPlugin.Set(cb, VsiPlugin.Field.Stat, (nint)(delegate* unmanaged[Cdecl]<nint, byte*, byte*, int, int>)&Stat);
                VsiPlugin.Set(cb, VsiPlugin.Field.Open, (nint)(delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)&Open);
                VsiPlugin.Set(cb, VsiPlugin.Field.Tell, (nint)(delegate* unmanaged[Cdecl]<nint, ulong>)&Tell);
                VsiPlugin.Set(cb, VsiPlugin.Field.Seek, (nint)(delegate* unmanaged[Cdecl]<nint, ulong, int, int>)&Seek);
                VsiPlugin.Set(cb, VsiPlugin.Field.Read, (nint)(delegate* unmanaged[Cdecl]<nint, byte*, nuint, nuint, nuint>)&Read);
                VsiPlugin.Set(cb, VsiPlugin.Field.ReadMultiRange, (nint)(delegate* unmanaged[Cdecl]<nint, int, byte**, ulong*, nuint*, int>)&ReadMultiRange);
                VsiPlugin.Set(cb, VsiPlugin.Field.Eof, (nint)(delegate* unmanaged[Cdecl]<nint, int>)&Eof);
                VsiPlugin.Set(cb, VsiPlugin.Field.Close, (nint)(delegate* unmanaged[Cdecl]<nint, int>)&Close);
                VsiPlugin.Set(cb, VsiPlugin.Field.SiblingFiles, (nint)(delegate* unmanaged[Cdecl]<nint, byte*, nint>)&SiblingFiles);
                // BufferSize stays 0: a buffered handle (VSICachedFile) would hide read_multi_range from GDAL.
                if (VsiPlugin.VSIInstallPluginHandler(native, cb) != 0) throw new GdalException($"{prefix}: GDAL refused the plugin handler");
            }
            finally
            {
                VsiPlugin.VSIFreeFilesystemPluginCallbacksStruct(cb);   // GDAL copied it
            }
        }
    }

    private sealed class Handle(string path, IVirtualFile file)
    {
        public readonly string Path = path;
        public readonly IVirtualFile File = file;
        public long Position;
        public bool AtEnd;
    }

    private static (string Prefix, string Name) Resolve(nint userData, byte* name) =>
        (Marshal.PtrToStringUTF8(userData)!, Marshal.PtrToStringUTF8((nint)name) ?? "");

    private static void Record(Exception e, string what)
    {
        var failure = e is VirtualFileException ? e : new VirtualFileException($"{what}: {e.Message}", e);
        _failure = failure;
        Interlocked.Increment(ref _failureCount);
        try { VsiPlugin.CPLErrorSetState(VsiPlugin.CeFailure, VsiPlugin.CpleFileIo, failure.Message); }
        catch (Exception) { }   // nothing may escape into GDAL
    }

    private static Handle? Get(nint handle) => handle == 0 ? null : GCHandle.FromIntPtr(handle).Target as Handle;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Stat(nint userData, byte* name, byte* statBuf, int flags)
    {
        var what = "";
        try
        {
            var (prefix, file) = Resolve(userData, name);
            what = prefix + file;
            if (!Providers.TryGetValue(prefix, out var provider) || provider.Stat(file) is not { } length) return -1;
            var (mode, size) = VsiPlugin.StatOffsets();
            *(uint*)(statBuf + mode) = 0x8000 | 0x124;   // S_IFREG, r--r--r--
            *(long*)(statBuf + size) = length;
            return 0;
        }
        catch (Exception e)
        {
            Record(e, what);
            return -1;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Open(nint userData, byte* name, byte* access)
    {
        var what = "";
        try
        {
            var (prefix, file) = Resolve(userData, name);
            what = prefix + file;
            var mode = Marshal.PtrToStringUTF8((nint)access) ?? "r";
            if (mode.Contains('w') || mode.Contains('a') || mode.Contains('+')) return 0;   // read-only
            if (!Providers.TryGetValue(prefix, out var provider) || provider.Open(file) is not { } f) return 0;
            return GCHandle.ToIntPtr(GCHandle.Alloc(new Handle(what, f)));
        }
        catch (Exception e)
        {
            Record(e, what);
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Tell(nint handle) => Get(handle) is { } h ? (ulong)h.Position : 0;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Seek(nint handle, ulong offset, int whence)
    {
        if (Get(handle) is not { } h) return -1;
        try
        {
            var target = whence switch
            {
                0 => (long)offset,                                   // SEEK_SET
                1 => h.Position + (long)offset,                      // SEEK_CUR (GDAL passes unsigned offsets)
                2 => h.File.Length + (long)offset,                   // SEEK_END
                _ => -1,
            };
            if (target < 0) return -1;
            h.Position = target;
            h.AtEnd = false;
            return 0;
        }
        catch (Exception e)
        {
            Record(e, h.Path);
            return -1;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nuint Read(nint handle, byte* buffer, nuint size, nuint count)
    {
        if (Get(handle) is not { } h || size == 0 || count == 0) return 0;
        try
        {
            var want = (long)Math.Min((ulong)size * count, int.MaxValue);
            var n = h.Position >= h.File.Length ? 0 : h.File.Read(h.Position, new Span<byte>(buffer, (int)want));
            h.Position += n;
            if (n < want) h.AtEnd = true;
            return (nuint)((ulong)n / size);
        }
        catch (Exception e)
        {
            Record(e, h.Path);
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ReadMultiRange(nint handle, int count, byte** data, ulong* offsets, nuint* sizes)
    {
        if (Get(handle) is not { } h) return -1;
        var managers = new NativeMemory[Math.Max(count, 0)];
        try
        {
            var ranges = new (long, Memory<byte>)[count];
            for (var i = 0; i < count; i++)
            {
                managers[i] = new NativeMemory(data[i], checked((int)sizes[i]));
                ranges[i] = ((long)offsets[i], managers[i].Memory);
            }
            h.File.ReadRanges(ranges);
            return 0;
        }
        catch (Exception e)
        {
            Record(e, h.Path);
            return -1;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Eof(nint handle) => Get(handle) is { AtEnd: true } ? 1 : 0;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Close(nint handle)
    {
        if (handle == 0) return 0;
        var gc = GCHandle.FromIntPtr(handle);
        var h = gc.Target as Handle;
        gc.Free();
        try
        {
            h?.File.Dispose();
            return 0;
        }
        catch (Exception e)
        {
            Record(e, h?.Path ?? "");
            return -1;
        }
    }

    /// <summary>An empty list: a virtual file has no side-car files, so GDAL need not probe <c>.ovr</c>, <c>.msk</c>, … one by one.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint SiblingFiles(nint userData, byte* name)
    {
        try { return VsiPlugin.VSICalloc(1, (nuint)nint.Size); }
        catch (Exception) { return 0; }
    }

    /// <summary>GDAL's buffer of one range as <see cref="Memory{T}"/> (valid during the callback only).</summary>
    private sealed class NativeMemory(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}

/// <summary>A read of a virtual file failed; the message names the file (<c>/vsiipfs/CID</c>) and why.</summary>
public sealed class VirtualFileException(string message, Exception? inner = null) : IOException(message, inner);
