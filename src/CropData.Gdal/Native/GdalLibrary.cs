using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CropData.Gdal.Native;

/// <summary>
/// Finds the system GDAL. Debian ships only the versioned <c>libgdal.so.32</c> unless the -dev package is
/// installed, so the unversioned name alone is not enough (a pitfall of the system GDAL, see CONTRIBUTING.md).
/// </summary>
internal static class GdalLibrary
{
    internal const string Name = "gdal";

    private static readonly string[] Candidates =
    [
        "libgdal.so.32", "libgdal.so.33", "libgdal.so.34", "libgdal.so.35", "libgdal.so.36", "libgdal.so",
        "/usr/lib/x86_64-linux-gnu/libgdal.so.32", "/usr/lib/aarch64-linux-gnu/libgdal.so.32",
        "libgdal.dylib", "/opt/homebrew/lib/libgdal.dylib", "/usr/local/lib/libgdal.dylib",
        "gdal.dll", "gdal310.dll", "gdal309.dll", "gdal308.dll", "gdal307.dll", "gdal306.dll",
    ];

    private static nint _handle;
    private static readonly object Gate = new();

    public const string InstallHint =
        "GDAL >= 3.6 was not found. Install it: Debian/Ubuntu `sudo apt-get install libgdal32` " +
        "(or gdal-bin), macOS `brew install gdal`, Windows: OSGeo4W or conda `gdal`.";

    // A module initializer guarantees the resolver is in place before any P/Invoke of this assembly binds.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(GdalLibrary).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Name ? Handle : 0;

    public static nint Handle
    {
        get
        {
            if (_handle != 0) return _handle;
            lock (Gate)
            {
                if (_handle != 0) return _handle;
                var env = Environment.GetEnvironmentVariable("CROPDATA_GDAL_LIBRARY");
                foreach (var candidate in env is { Length: > 0 } ? [env, .. Candidates] : Candidates)
                {
                    if (NativeLibrary.TryLoad(candidate, out var h)) { _handle = h; return h; }
                }
                throw new GdalException(InstallHint);
            }
        }
    }
}
