namespace CropData.Gdal.Vsi;

/// <summary>A read-only file GDAL reads through a <see cref="VirtualFileSystem"/> prefix. Methods throw on failure (never return wrong bytes).</summary>
public interface IVirtualFile : IDisposable
{
    long Length { get; }

    /// <summary>Fills <paramref name="buffer"/> with the bytes at <paramref name="offset"/>, or up to the end of the file; returns how many.</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Fills each buffer with the bytes at its offset (all inside the file), as one request where the source allows.</summary>
    void ReadRanges(IReadOnlyList<(long Offset, Memory<byte> Buffer)> ranges);
}

/// <summary>Files under one prefix, by the name after the prefix (<c>/vsiipfs/NAME</c>).</summary>
public interface IVirtualFileProvider
{
    /// <summary>The file's length, or null when there is no such file (GDAL probes side-car names such as <c>NAME.ovr</c>).</summary>
    long? Stat(string name);

    /// <summary>An open file, or null when there is no such file.</summary>
    IVirtualFile? Open(string name);
}
