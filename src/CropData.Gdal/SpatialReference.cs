using CropData.Gdal.Native;

namespace CropData.Gdal;

/// <summary>A coordinate reference system (OSR). Always uses traditional GIS axis order: x = easting/longitude.</summary>
public sealed class SpatialReference : IDisposable
{
    internal nint Handle { get; private set; }

    private SpatialReference(nint handle)
    {
        Handle = handle;
        Osr.OSRSetAxisMappingStrategy(handle, 0);
    }

    public static SpatialReference FromEpsg(int code)
    {
        GdalRuntime.EnsureInitialised();
        var h = GdalRuntime.Check(Osr.OSRNewSpatialReference(null), $"EPSG:{code}");
        var err = Osr.OSRImportFromEPSG(h, code);
        if (err != 0)
        {
            Osr.OSRDestroySpatialReference(h);
            throw new GdalException($"EPSG:{code} is not a known CRS: {Cpl.LastError()}");
        }
        return new SpatialReference(h);
    }

    /// <summary>Any definition GDAL accepts: "EPSG:5070", WKT, PROJ string, "urn:ogc:def:crs:EPSG::4326".</summary>
    public static SpatialReference FromUserInput(string definition)
    {
        GdalRuntime.EnsureInitialised();
        var h = GdalRuntime.Check(Osr.OSRNewSpatialReference(null), $"CRS '{definition}'");
        if (Osr.OSRSetFromUserInput(h, definition) != 0)
        {
            Osr.OSRDestroySpatialReference(h);
            throw new GdalException($"CRS '{definition}' is not understood by GDAL: {Cpl.LastError()}");
        }
        return new SpatialReference(h);
    }

    public static SpatialReference FromWkt(string wkt) => FromUserInput(wkt);

    public string ToWkt()
    {
        GdalRuntime.Check(Osr.OSRExportToWkt(Handle, out var p), "OSRExportToWkt");
        try { return Cpl.Copy(p) ?? ""; }
        finally { Cpl.VSIFree(p); }
    }

    /// <summary>The EPSG code when GDAL can identify one, else null.</summary>
    public int? Epsg
    {
        get
        {
            var name = Cpl.Copy(Osr.OSRGetAuthorityName(Handle, null));
            var code = Cpl.Copy(Osr.OSRGetAuthorityCode(Handle, null));
            if (name is null || code is null)
            {
                Osr.OSRAutoIdentifyEPSG(Handle);
                name = Cpl.Copy(Osr.OSRGetAuthorityName(Handle, null));
                code = Cpl.Copy(Osr.OSRGetAuthorityCode(Handle, null));
            }
            return name == "EPSG" && int.TryParse(code, out var c) ? c : null;
        }
    }

    public bool IsSame(SpatialReference other) => Osr.OSRIsSame(Handle, other.Handle) != 0;

    public void Dispose()
    {
        if (Handle != 0) { Osr.OSRDestroySpatialReference(Handle); Handle = 0; }
    }
}
