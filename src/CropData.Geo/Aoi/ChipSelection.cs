using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace CropData.Geo;

/// <summary>The chips an AOI selects (spec stage 1), sorted by id.</summary>
public sealed class ChipSelection
{
    public IReadOnlyList<Chip> Chips { get; }

    /// <summary>Human-readable origin of the selection, e.g. "AOI file 'x.geojson' (3 polygons)".</summary>
    public string Source { get; }

    public ChipSelection(IEnumerable<Chip> chips, string source)
    {
        var list = chips.DistinctBy(c => c.Id).ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        Chips = list;
        Source = source;
    }

    public IEnumerable<string> Ids => Chips.Select(c => c.Id);

    /// <summary>Writes the selection as GeoJSON sorted by id (see <see cref="ChipGeoJson"/>).</summary>
    public void WriteGeoJson(string path, ChipCrs crs = ChipCrs.Wgs84) => ChipGeoJson.WriteFile(path, Chips, crs);
}

/// <summary>Stage 1: select the chips of the grid whose footprint intersects the AOI.</summary>
public static class AoiSelector
{
    public static ChipSelection Select(ChipGrid grid, AoiSpec aoi) => aoi switch
    {
        AllChipsAoi => new ChipSelection(grid.Chips, aoi.Describe()),
        BboxAoi b => Select(grid, GeoJson.Factory.ToGeometry(new Envelope(b.MinX, b.MaxX, b.MinY, b.MaxY)), aoi.Describe()),
        FileAoi f => Select(grid, AoiDocument.Read(f.Path)),
        _ => throw new ArgumentOutOfRangeException(nameof(aoi), aoi, "unknown AOI kind"),
    };

    public static ChipSelection Select(ChipGrid grid, AoiDocument doc)
    {
        if (doc.ChipIds is { } ids)
        {
            var unknown = ids.Where(id => !grid.TryGet(id, out _)).ToList();
            if (unknown.Count > 0)
                throw new GeoInputException(
                    $"chip payload '{doc.Path}' names {unknown.Count} chip(s) not in the chip grid (first: {unknown[0]}); " +
                    $"expected ids of the {grid.Count} pre-generated chips");
            return new ChipSelection(ids.Select(id => grid[id]), $"chip payload '{doc.Path}' ({ids.Count} chips)");
        }
        var n = doc.Polygons4326!.NumGeometries;
        return Select(grid, doc.Polygons4326, $"AOI file '{doc.Path}' ({n} polygon{(n == 1 ? "" : "s")})");
    }

    /// <summary>
    /// Chips whose EPSG:4326 footprint intersects <paramref name="aoi4326"/> (touching counts, as in the
    /// original's intersects test). Throws when nothing is selected: an empty dataset is never what was meant.
    /// </summary>
    public static ChipSelection Select(ChipGrid grid, Geometry aoi4326, string source)
    {
        var selected = new List<Chip>();
        for (var i = 0; i < aoi4326.NumGeometries; i++)
        {
            var part = aoi4326.GetGeometryN(i);
            var prepared = PreparedGeometryFactory.Prepare(part);
            foreach (var chip in grid.Candidates4326(part.EnvelopeInternal))
                if (prepared.Intersects(chip.Footprint4326)) selected.Add(chip);
        }
        if (selected.Count == 0)
        {
            var e = aoi4326.EnvelopeInternal;
            var g = grid.Extent4326;
            throw new GeoInputException(string.Create(CultureInfo.InvariantCulture,
                $"{source} selects no chip: its extent [{e.MinX}, {e.MinY}, {e.MaxX}, {e.MaxY}] intersects none of the " +
                $"{grid.Count} chip footprints (chip grid extent [{g.MinX:F3}, {g.MinY:F3}, {g.MaxX:F3}, {g.MaxY:F3}], EPSG:4326)"));
        }
        return new ChipSelection(selected, source);
    }
}
