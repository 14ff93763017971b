using CropData.Dataset.Scenes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac.Hls;

public sealed record EasierCidOptions
{
    public const string EasierStac = "https://stac.easierdata.info";

    public IReadOnlyList<string> Bands { get; init; } = HlsNames.DefaultBands;
    /// <summary>Collections to search; null searches by id alone, as the original did.</summary>
    public IReadOnlyList<string>? Collections { get; init; }
    /// <summary>The alternate (Alternate Assets extension) that holds the IPFS location.</summary>
    public string AlternateName { get; init; } = "IPFS";
    /// <summary>Throw when the search itself fails (the build's unit then fails and is retried by the next build), instead
    /// of reporting it like a scene that is not in the catalog.</summary>
    public bool ThrowOnSearchFailure { get; init; }
}

/// <summary>The CIDs found for a set of scenes (scene → bands in configured order) and what was missing.</summary>
public sealed record CidLookupResult(IReadOnlyDictionary<string, IReadOnlyList<BandCid>> Payloads, IReadOnlyList<SceneIssue> Issues);

/// <summary>
/// Spec stage 6: for each selected scene, search the Easier STAC API with ids=[scene]; each band's CID is the last
/// path segment of <c>assets[band].alternate.IPFS.href</c>. A scene absent from the catalog, a band without an
/// asset, or an asset without the IPFS alternate is reported; the bands that were found are kept (as the original
/// did) and a scene with none is left out of the payloads.
/// </summary>
public sealed class EasierCidLookup(IStacSource source, EasierCidOptions? options = null)
{
    private readonly EasierCidOptions _options = options ?? new EasierCidOptions();

    public async Task<CidLookupResult> LookupAsync(IEnumerable<string> sceneIds, CancellationToken cancellationToken = default)
    {
        var distinct = sceneIds.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var results = await Task.WhenAll(distinct.Select(s => LookupSceneAsync(s, cancellationToken))).ConfigureAwait(false);
        var payloads = new SortedDictionary<string, IReadOnlyList<BandCid>>(StringComparer.Ordinal);
        var issues = new List<SceneIssue>();
        foreach (var (scene, bands, sceneIssues) in results)
        {
            if (bands.Count > 0) payloads[scene] = bands;
            issues.AddRange(sceneIssues);
        }
        return new CidLookupResult(payloads, SceneIssuesCsv.Sort(issues));
    }

    /// <summary>The CIDs of one tile's selected scenes (one build unit per tile).</summary>
    public Task<CidLookupResult> LookupTileAsync(IEnumerable<SelectedScene> selected, CancellationToken cancellationToken = default) =>
        LookupAsync(selected.Select(s => s.Scene.SceneId), cancellationToken);

    public async Task<(string SceneId, IReadOnlyList<BandCid> Bands, IReadOnlyList<SceneIssue> Issues)> LookupSceneAsync(
        string sceneId, CancellationToken cancellationToken = default)
    {
        var tile = UmmgParser.TryTile(sceneId, out var t) ? t : "";
        var request = new StacSearchRequest { Ids = [sceneId], Collections = _options.Collections };
        StacItem? item = null;
        try
        {
            await foreach (var i in source.SearchAsync(request, cancellationToken).ConfigureAwait(false))
                if (i.Id == sceneId) { item = i; break; }
        }
        catch (Exception e) when (e is StacHttpException or FormatException or IOException)
        {
            if (_options.ThrowOnSearchFailure) throw new InvalidOperationException($"scene {sceneId}: Easier STAC search in {source.Description} failed: {e.Message}", e);
            return (sceneId, [], [new SceneIssue(tile, sceneId, $"Easier STAC search in {source.Description} failed: {e.Message}")]);
        }
        if (item is null)
            return (sceneId, [], [new SceneIssue(tile, sceneId, $"scene is not in the Easier STAC catalog {source.Description}")]);

        var bands = new List<BandCid>();
        var issues = new List<SceneIssue>();
        foreach (var band in _options.Bands)
        {
            if (!item.Assets.TryGetValue(band, out var asset))
            {
                issues.Add(new SceneIssue(tile, sceneId, $"band {band}: the Easier STAC item has no asset '{band}'"));
                continue;
            }
            // The CID lives in the IPFS alternate; the asset's own href may be absent (it is not needed here).
            var href = asset.AlternateHref(_options.AlternateName);
            var cid = href is null ? null : LastPathSegment(href);
            if (string.IsNullOrEmpty(cid))
            {
                issues.Add(new SceneIssue(tile, sceneId, href is null
                    ? $"band {band}: asset has no alternate.{_options.AlternateName}.href"
                    : $"band {band}: alternate.{_options.AlternateName}.href '{href}' has no CID segment"));
                continue;
            }
            bands.Add(new BandCid(HlsNames.BandFileName(sceneId, band), cid, band));
        }
        return (sceneId, bands, issues);
    }

    /// <summary>"ipfs://bafy…" → "bafy…"; "https://gw/ipfs/bafy…/" → "bafy…". Case is kept (CIDv0 is case-sensitive).</summary>
    public static string LastPathSegment(string href)
    {
        var h = href;
        var q = h.IndexOfAny(['?', '#']);
        if (q >= 0) h = h[..q];
        h = h.TrimEnd('/');
        var seg = h[(h.LastIndexOf('/') + 1)..];
        return seg.Contains(':') ? "" : seg;
    }
}
