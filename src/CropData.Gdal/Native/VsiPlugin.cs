using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>
/// GDAL's file system plugin API (cpl_vsi.h, GDAL >= 3.0). The callbacks struct is allocated by GDAL
/// (<c>VSIAllocFilesystemPluginCallbacksStruct</c>, so a newer GDAL's extra trailing members start null) and written
/// by field offset; <c>VSIInstallPluginHandler</c> copies the struct but keeps the prefix pointer, which must live
/// for the process.
/// </summary>
internal static partial class VsiPlugin
{
    [LibraryImport(GdalLibrary.Name)] internal static partial nint VSIAllocFilesystemPluginCallbacksStruct();
    [LibraryImport(GdalLibrary.Name)] internal static partial void VSIFreeFilesystemPluginCallbacksStruct(nint callbacks);
    [LibraryImport(GdalLibrary.Name)] internal static partial int VSIInstallPluginHandler(nint prefix, nint callbacks);
    [LibraryImport(GdalLibrary.Name)] internal static partial nint VSICalloc(nuint count, nuint size);

    // Sets GDAL's last error without calling the error handler (CPLError itself is variadic, which P/Invoke cannot call).
    [LibraryImport(GdalLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void CPLErrorSetState(int errorClass, int errorNumber, string message);

    internal const int CeFailure = 3, CpleFileIo = 3;

    /// <summary>
    /// Member order of VSIFilesystemPluginCallbacksStruct in GDAL 3.6 (port/cpl_vsi.h): every member is a pointer or
    /// a size_t, so member i is at i * pointer size. GDAL only appends members (advise_read, error, clear_err later).
    /// </summary>
    internal enum Field
    {
        UserData, Stat, Unlink, Rename, Mkdir, Rmdir, ReadDir, Open, Tell, Seek, Read, ReadMultiRange, GetRangeStatus,
        Eof, Write, Flush, Truncate, Close, BufferSize, CacheSize, SiblingFiles,
    }

    internal static void Set(nint callbacks, Field field, nint value) => Marshal.WriteIntPtr(callbacks, (int)field * nint.Size, value);

    /// <summary>
    /// Where <c>struct stat64</c> (VSIStatBufL on Linux) keeps st_mode and st_size: glibc x86-64 and the generic
    /// layout of aarch64. GDAL zeroes the struct before the stat callback, so only these two are written.
    /// </summary>
    internal static (int Mode, int Size) StatOffsets() =>
        !OperatingSystem.IsLinux() ? throw new PlatformNotSupportedException("the /vsi plugin's stat buffer layout is known for Linux only")
        : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (24, 48),
            Architecture.Arm64 => (16, 48),
            var a => throw new PlatformNotSupportedException($"the /vsi plugin's stat buffer layout is not known for {a}"),
        };
}
