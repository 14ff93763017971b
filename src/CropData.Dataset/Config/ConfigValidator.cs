namespace CropData.Dataset.Config;

/// <summary>Value checks that types alone cannot express. Each error names the key, the value and what is allowed.</summary>
internal static class ConfigValidator
{
    private static readonly string[] KnownBands = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12"];

    public static void Validate(DatasetConfig c, string source)
    {
        void Fail(string key, object? value, string allowed) =>
            throw new ConfigException($"{source}: key '{key}' = '{Show(value)}' is not allowed; expected {allowed}");

        if (string.IsNullOrWhiteSpace(c.DataDir)) Fail("data_dir", c.DataDir, "a folder path");
        if (string.IsNullOrWhiteSpace(c.TrainDatasetName) || c.TrainDatasetName.IndexOfAny(['/', '\\']) >= 0 || c.TrainDatasetName is "." or "..")
            Fail("train_dataset_name", c.TrainDatasetName, "a plain folder name (no path separators)");
        if ((c.Sample.Tiles.Count == 0) != (c.Sample.Chips.Count == 0))
            Fail("sample.tiles", c.Sample.Tiles, "sample.tiles and sample.chips together (the multi-tile sample), or neither");
        if (c.Tiles.Mode is not ("nearest-centroid" or "containing"))
            Fail("tiles.mode", c.Tiles.Mode, "nearest-centroid or containing");
        if (c.Reproject.Mode is not ("original" or "exact"))
            Fail("reproject.mode", c.Reproject.Mode, "original or exact");
        if (c.Selection.CloudCoverThreshold is < 0 or > 100)
            Fail("selection.cloud_cover_threshold", c.Selection.CloudCoverThreshold, "an integer from 0 to 100");
        if (c.Selection.CoverageThresholds.Count == 0 || c.Selection.CoverageThresholds.Any(t => t is < 0 or > 100))
            Fail("selection.coverage_thresholds", c.Selection.CoverageThresholds, "a non-empty list of integers from 0 to 100");
        if (c.Selection.MinScenes < 1) Fail("selection.min_scenes", c.Selection.MinScenes, "an integer >= 1");
        if (c.Selection.ScenesPerChip is < 1 or > 12) Fail("selection.scenes_per_chip", c.Selection.ScenesPerChip, "an integer from 1 to 12");
        if (c.Bands.Count == 0) Fail("bands", c.Bands, "a non-empty list of HLS S30 band names");
        foreach (var b in c.Bands)
            if (!KnownBands.Contains(b)) Fail("bands", b, "HLS S30 band names (" + string.Join(" ", KnownBands) + ")");
        if (c.Bands.Distinct().Count() != c.Bands.Count) Fail("bands", c.Bands, "each band once");
        if (c.Chips.Size is < 1 or > 4096) Fail("chips.size", c.Chips.Size, "a pixel count from 1 to 4096");
        if (c.Chips.Compression is not ("NONE" or "LZW" or "DEFLATE")) Fail("chips.compression", c.Chips.Compression, "NONE, LZW or DEFLATE");
        if (c.Chips.MaskPalette is not ("classes" or "cdl")) Fail("chips.mask_palette", c.Chips.MaskPalette, "classes or cdl");
        if (c.Filter.MaxBadPct is < 0 or > 100) Fail("filter.max_bad_pct", c.Filter.MaxBadPct, "a percentage from 0 to 100");
        if (c.Filter.MaxNaCount < 0) Fail("filter.max_na_count", c.Filter.MaxNaCount, "a count >= 0");
        if (c.Report.MinClassPixels < 0) Fail("report.min_class_pixels", c.Report.MinClassPixels, "a pixel count >= 0");
        if (c.Split.TrainFraction is <= 0 or >= 1) Fail("split.train_fraction", c.Split.TrainFraction, "a fraction strictly between 0 and 1");
        if (c.Split.Method is not ("exact" or "threshold")) Fail("split.method", c.Split.Method, "exact or threshold");
        if ((c.Split.ImportTrain is null) != (c.Split.ImportVal is null))
            Fail("split.import_train", c.Split.ImportTrain, "both split.import_train and split.import_val, or neither");
        if (c.Stac.Concurrency < 1) Fail("stac.concurrency", c.Stac.Concurrency, "an integer >= 1");
        if (c.Stac.MaxTries < 1) Fail("stac.max_tries", c.Stac.MaxTries, "an integer >= 1");
        if (!(c.Stac.TimeoutSeconds > 0)) Fail("stac.timeout_seconds", c.Stac.TimeoutSeconds, "a number of seconds > 0");
        if (c.Ipfs.Concurrency < 1) Fail("ipfs.concurrency", c.Ipfs.Concurrency, "an integer >= 1");
        if (c.Ipfs.MaxTries < 1) Fail("ipfs.max_tries", c.Ipfs.MaxTries, "an integer >= 1");
        if (!(c.Ipfs.TimeoutSeconds > 0)) Fail("ipfs.timeout_seconds", c.Ipfs.TimeoutSeconds, "a number of seconds > 0");
        if (!(c.Ipfs.CheckTimeoutSeconds > 0)) Fail("ipfs.check_timeout_seconds", c.Ipfs.CheckTimeoutSeconds, "a number of seconds > 0");
        if (c.Ipfs.Sources.Count == 0) Fail("ipfs.sources", "[]", "at least one source");
        for (int i = 0; i < c.Ipfs.Sources.Count; i++)
        {
            var s = c.Ipfs.Sources[i];
            var key = $"ipfs.sources[{i}]";
            if (s.Concurrency is < 1) Fail(key + ".concurrency", s.Concurrency, "an integer >= 1 (or leave it out)");
            switch (s.Kind)
            {
                case "car" when string.IsNullOrWhiteSpace(s.Path): Fail(key + ".path", s.Path, "a CAR file or folder for kind car"); break;
                case "kubo" or "kubo-cat" or "gateway" or "trustless" when !IsHttpUrl(s.Url): Fail(key + ".url", s.Url, "an http(s) URL for kind " + s.Kind); break;
                case "car" or "kubo" or "kubo-cat" or "gateway" or "trustless": break;
                default: Fail(key + ".kind", s.Kind, "car, kubo, kubo-cat, gateway or trustless"); break;
            }
        }
        if (c.Download.Order.Count == 0 || c.Download.Order.Any(k => k is not (DownloadConfig.Ipfs or DownloadConfig.Https)) ||
            c.Download.Order.Distinct().Count() != c.Download.Order.Count)
            Fail("download.order", c.Download.Order, "a non-empty list of ipfs and https, each at most once");
        if (c.Download.AuthHosts.Any(h => string.IsNullOrWhiteSpace(h) || h.Contains('/')))
            Fail("download.auth_hosts", c.Download.AuthHosts, "host names or host:port, no scheme or path");
        if (!(c.Download.TimeoutSeconds > 0)) Fail("download.timeout_seconds", c.Download.TimeoutSeconds, "a number of seconds > 0");
        if (c.Download.MaxTries < 1) Fail("download.max_tries", c.Download.MaxTries, "an integer >= 1");
        if (c.Download.Mode is not ("whole" or "ranges")) Fail("download.mode", c.Download.Mode, "whole or ranges");
        if (c.Download.BlockCacheMaxMb is { } mb && !(mb > 0)) Fail("download.block_cache_max_mb", mb, "a number of MB > 0 (or leave it out)");
        var aoiChoices = new object?[] { c.Aoi.Geojson, c.Aoi.Bbox, c.Aoi.ChipIds }.Count(x => x is not null);
        if (aoiChoices > 1) Fail("aoi", "several of geojson/bbox/chip_ids", "at most one of aoi.geojson, aoi.bbox, aoi.chip_ids");
        if (c.Aoi.Bbox is { } bbox)
        {
            if (bbox.Count != 4) Fail("aoi.bbox", bbox, "[min_lon, min_lat, max_lon, max_lat]");
            if (bbox[0] > bbox[2] || bbox[1] > bbox[3]) Fail("aoi.bbox", bbox, "min <= max for both axes");
            if (bbox.Any(v => double.IsNaN(v)) || bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90)
                Fail("aoi.bbox", bbox, "longitudes within ±180 and latitudes within ±90");
        }
    }

    private static bool IsHttpUrl(string? s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    private static string Show(object? v) => v switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
