using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>
/// A null-terminated char** built from managed strings (GDAL option lists, argv for gdal_utils).
/// The memory is ours: GDAL functions taking such lists copy them, so it is freed on dispose.
/// </summary>
internal sealed class StringList : IDisposable
{
    private nint _array;
    private readonly nint[] _items;

    public StringList(IReadOnlyList<string> items)
    {
        _items = new nint[items.Count];
        _array = Marshal.AllocHGlobal(nint.Size * (items.Count + 1));
        for (var i = 0; i < items.Count; i++)
        {
            _items[i] = Marshal.StringToCoTaskMemUTF8(items[i]);
            Marshal.WriteIntPtr(_array, i * nint.Size, _items[i]);
        }
        Marshal.WriteIntPtr(_array, items.Count * nint.Size, 0);
    }

    /// <summary>The char** to pass; 0 for an empty list (GDAL treats a null list as "no options").</summary>
    public nint Handle => _items.Length == 0 ? 0 : _array;

    public void Dispose()
    {
        if (_array == 0) return;
        foreach (var p in _items) Marshal.FreeCoTaskMem(p);
        Marshal.FreeHGlobal(_array);
        _array = 0;
    }
}
