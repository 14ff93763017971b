using System.Runtime.InteropServices;
using CropData.Gdal.Native;

namespace CropData.Gdal;

/// <summary>One-time GDAL set-up shared by every entry point of this library.</summary>
public static class GdalRuntime
{
    private static readonly Lazy<string> Initialised = new(Initialise, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads and configures GDAL (idempotent). Returns the GDAL release name, e.g. "3.6.2".</summary>
    public static string EnsureInitialised() => Initialised.Value;

    /// <summary>True when a usable libgdal can be loaded on this machine.</summary>
    public static bool IsAvailable()
    {
        try { EnsureInitialised(); return true; }
        catch (GdalException) { return false; }
    }

    public static string Version => EnsureInitialised();

    /// <summary>How to install GDAL on this platform (also the message of the exception when it is missing).</summary>
    public static string InstallHint => GdalLibrary.InstallHint;

    private static string Initialise()
    {
        _ = GdalLibrary.Handle;
        // Inputs must never grow .aux.xml side-car files (they would change input fingerprints).
        Cpl.CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
        // Outputs must be byte-stable: no TIFFTAG_DATETIME, no software tag drift.
        Cpl.CPLSetConfigOption("GTIFF_WRITE_TOWGS84", "NO");
        Cpl.CPLSetConfigOption("CPL_LOG_ERRORS", "OFF");
        Cpl.CPLSetConfigOption("GDAL_NUM_THREADS", "1");
        // Errors are read back with CPLGetLastErrorMsg and raised as exceptions; keep stderr quiet.
        if (NativeLibrary.TryGetExport(GdalLibrary.Handle, "CPLQuietErrorHandler", out var quiet))
            Cpl.CPLSetErrorHandler(quiet);
        Cpl.GDALAllRegister();
        return Cpl.Copy(Cpl.GDALVersionInfo("RELEASE_NAME")) ?? "unknown";
    }

    /// <summary>Throws a <see cref="GdalException"/> with GDAL's last error when <paramref name="handle"/> is null.</summary>
    internal static nint Check(nint handle, string what)
    {
        if (handle == 0) throw new GdalException($"{what}: {Cpl.LastError()}");
        return handle;
    }

    internal static void Check(int err, string what)
    {
        if (err != 0) throw new GdalException($"{what}: {Cpl.LastError()} (error {err})");
    }

    internal static void ResetError()
    {
        Cpl.CPLErrorReset();
        Vsi.VirtualFileSystem.ClearFailure();
    }
}
