namespace CropData.Build.Context;

/// <summary>
/// Every file name of the dataset folder in one place. Public outputs keep the original's names
/// (spec stages 5-14); per-unit intermediates live under .build/work/ so downstream units can depend on
/// exactly the slice they read (one chip's tile, one tile's scenes) instead of a whole table.
/// </summary>
public sealed class DatasetPaths(string root, string dataDir)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string DataDir { get; } = Path.GetFullPath(dataDir);
    public string State => Path.Combine(Root, ".build");
    // Per-unit intermediates sit inside the build state folder, so the dataset manifest never lists them.
    public string Work => Path.Combine(State, "work");

    public string SampleInputs => Path.Combine(DataDir, "sample_inputs");

    // Stage 1-2
    public string AoiChips => Path.Combine(Root, "aoi_chips.geojson");
    public string AoiChips5070 => Path.Combine(Root, "aoi_chips_5070.geojson");
    public string AoiChipIds => Path.Combine(Work, "aoi_chip_ids.txt");
    public string ChipTile(string chip) => Path.Combine(Work, "tiles", chip + ".json");
    public string ChipTilesCsv => Path.Combine(Root, "chip_tiles.csv");

    // Stage 3-6
    public string TileCandidates(string tile) => Path.Combine(Work, "search", tile + ".csv");
    public string TileSearchIssues(string tile) => Path.Combine(Work, "search", tile + ".issues.csv");
    // The UMM-G checksums of the tile's candidates (scene -> band -> checksum): not a column of scene_candidates.csv.
    public string TileChecksums(string tile) => Path.Combine(Work, "search", tile + ".checksums.json");
    public string TileScenes(string tile) => Path.Combine(Work, "scenes", tile + ".csv");
    public string TileSelection(string tile) => Path.Combine(Work, "scenes", tile + ".selection.csv");
    public string SceneCandidatesCsv => Path.Combine(Root, "scene_candidates.csv");
    public string SceneIssuesCsv => Path.Combine(Root, "scene_issues.csv");
    public string TileSelectionCsv => Path.Combine(Root, "tile_selection.csv");
    public string SelectedScenesCsv => Path.Combine(Root, "selected_scenes.csv");
    public string ScenePayload(string scene) => Path.Combine(Work, "cids", scene + ".json");
    public string ScenePayloadIssues(string scene) => Path.Combine(Work, "cids", scene + ".issues.csv");
    // One band's plan alone (CID, href, checksum, source order): the download unit of that band reads only this, so a
    // changed CID or href refetches one band.
    public string BandPlan(string scene, string band) => Path.Combine(Work, "cids", scene, band + ".json");
    public string TilePayloadsJson => Path.Combine(Root, "tile_payloads.json");

    // Stage 7
    public string SceneFolder(string scene) => Path.Combine(Root, "tiles", scene);
    public string Band(string scene, string band) => Path.Combine(SceneFolder(scene), $"{scene}.{band}.tif");
    /// <summary>The IPFS leaves one reproject unit read in download.mode ranges (for the manifest's bytes_read).</summary>
    public string RangeReads(string scene, string band, int chipRow) =>
        Path.Combine(Work, "ranges", scene, FormattableString.Invariant($"{band}.row{chipRow:000}.json"));

    /// <summary>Verified IPFS blocks by multihash, shared by the datasets of the data folder (download.mode ranges).</summary>
    public string BlockCache => Path.Combine(DataDir, "cache", "blocks");

    public string DownloadFailure(string scene, string band) => Path.Combine(Work, "download", $"{scene}.{band}.json");
    // Where a band came from and how it was verified (its tile_payloads.json entry).
    public string BandRecord(string scene, string band) => Path.Combine(Work, "download", $"{scene}.{band}.source.json");
    // Where the IPFS fetcher writes (its unverified temps beside it): inside the state folder, so the dataset's files
    // never hold an unverified byte and a killed fetch leaves nothing the manifest would list.
    /// <summary>Verified band files by CID, shared by the datasets of the data folder (see <see cref="BandCache"/>).</summary>
    public string CidCache(string cid) => Path.Combine(DataDir, "cache", "ipfs", cid);
    public string FetchStaging(string scene, string band) => Path.Combine(State, "fetch", $"{scene}.{band}.tif");
    public string MissingCidsJson => Path.Combine(Root, "missing_cids.json");

    // Stage 8
    public string Warped(string scene, string band, string chip) => Path.Combine(Work, "reprojected", scene, band, chip + CropData.Raster.WarpedWindowFile.Extension);
    public string ReprojectedTile(string scene, string band) => Path.Combine(Root, "tiles_reprojected", $"{scene}.{band}.tif");

    // Stage 9-10
    public string Merged(string chip) => Path.Combine(Root, "chips", chip + "_merged.tif");
    public string Mask(string chip) => Path.Combine(Root, "chips", chip + ".mask.tif");
    public string Fmask(string chip) => Path.Combine(Root, "chips_fmask", chip + "_Fmask.tif");
    public string ChipQa(string chip) => Path.Combine(Work, "qa", chip + ".json");
    public string TrackChipsCsv => Path.Combine(Root, "track_chips.csv");
    public string FilteredMerged(string chip) => Path.Combine(Root, "chips_filtered", chip + "_merged.tif");
    public string FilteredMask(string chip) => Path.Combine(Root, "chips_filtered", chip + ".mask.tif");

    // Stage 11-14 and release
    public string TrainIds => Path.Combine(Root, "train_ids.csv");
    public string ValIds => Path.Combine(Root, "val_ids.csv");
    public string TrainIdsNoHeader => Path.Combine(Root, "train_ids_noheader.csv");
    public string ValIdsNoHeader => Path.Combine(Root, "val_ids_noheader.csv");
    public string TileHistogram(string tile) => Path.Combine(Work, "stats", tile + ".hist");
    public string TileClassCounts(string tile) => Path.Combine(Work, "stats", tile + ".classes.json");
    public string ClassDistributionCsv(string split) => Path.Combine(Root, $"class_distribution_{split}.csv");
    public string GlobalStatsYaml => Path.Combine(Root, "global_stats.yaml");
    public string BandStatsCsv => Path.Combine(Root, "band_stats.csv");
    public string ClassWeightsCsv => Path.Combine(Root, "class_weights.csv");
    public string GlobalStatsJson => Path.Combine(Work, "global_stats.json");
    public string ClassWeightsJson => Path.Combine(Work, "class_weights.json");
    public string Report => Path.Combine(Root, "report");
    public string Quicklook(string chip) => Path.Combine(Root, "report", "chips", chip + ".png");
    public string ReportChart(string split) => Path.Combine(Root, "report", $"class_distribution_{split}.png");
    public string ReportIndex => Path.Combine(Root, "report", "index.html");
    public string Export => Path.Combine(Root, "export");
    public string Manifest => Path.Combine(Root, "dataset.manifest.json");
}
