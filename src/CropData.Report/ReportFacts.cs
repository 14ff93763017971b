using System.Globalization;
using CropData.Dataset.Chips;
using CropData.Dataset.Finishing;

namespace CropData.Report;

/// <summary>One chip of the AOI as the stages left it: its tile ("" when none was assigned), its square, and its
/// stage-9 QA record (null when stage 9 never recorded one, with <see cref="MissingReason"/> saying why).</summary>
public sealed record ChipFacts(string ChipId, string Tile, IReadOnlyList<MapPoint> Footprint, ChipQa? Qa, string? MissingReason, string QuicklookPng);

/// <summary>The settings the report shows under its title.</summary>
/// <param name="RangesRead">download.mode ranges: how much of the band files was read (null in whole mode: no line).</param>
public sealed record ReportSettings(string ConfigName, int CloudCoverThreshold, string ReprojectMode, ChipFilterRule Filter, string SplitSeed, bool Sample,
    string? RangesRead = null);

/// <summary>
/// What the build produced, read from its tables by the report stage (stage 14), from which <see cref="Model"/> makes
/// the report's model: each chip's status and reason (kept, rejected by the stage-10 rule, skipped, failed) and its
/// side of the split, the settings lines and the notes. No file is read here.
/// </summary>
public sealed record ReportFacts
{
    public required string DatasetName { get; init; }
    public string? ToolVersion { get; init; }
    public required ReportSettings Settings { get; init; }
    public IReadOnlyList<ChipFacts> Chips { get; init; } = [];
    public IReadOnlyList<string> Train { get; init; } = [];
    public IReadOnlyList<string> Validation { get; init; } = [];
    public IReadOnlyList<ReportTile> Tiles { get; init; } = [];
    /// <summary>Every fetched band file with its source and how it was verified (stage 7).</summary>
    public IReadOnlyList<ReportBandSource> BandSources { get; init; } = [];
    public IReadOnlyList<ReportSplit> Splits { get; init; } = [];
    public GlobalStats? Stats { get; init; }
    public ClassWeights? Weights { get; init; }
    /// <summary>Warnings to show (e.g. classes with too few pixels for a meaningful weight).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public const string SampleNote = "Embedded sample: real CDL labels, chips and scene ids; SYNTHETIC reflectance and Fmask (see README).";

    public ReportModel Model()
    {
        var side = Train.ToDictionary(t => t, _ => "train");
        foreach (var v in Validation) side[v] = "validation";
        var s = Settings;
        return new ReportModel
        {
            Title = $"Dataset {DatasetName}",
            ToolVersion = ToolVersion,
            Settings =
            [
                KeyValuePair.Create("config", s.ConfigName),
                KeyValuePair.Create("cloud cover threshold", s.CloudCoverThreshold.ToString(CultureInfo.InvariantCulture)),
                KeyValuePair.Create("reproject mode", s.ReprojectMode),
                KeyValuePair.Create("filter", $"bad_pct_max < {s.Filter.MaxBadPct.ToString(CultureInfo.InvariantCulture)}, na_count <= {s.Filter.MaxNaCount}"),
                KeyValuePair.Create("split seed", s.SplitSeed),
                .. s.RangesRead is { } read ? [KeyValuePair.Create("download mode", read)] : Array.Empty<KeyValuePair<string, string>>(),
            ],
            Tiles = Tiles,
            Chips = Chips.Select(c => Chip(c, s.Filter, side.GetValueOrDefault(c.ChipId))).ToList(),
            BandSources = BandSources,
            Splits = Splits,
            Stats = Stats,
            Weights = Weights,
            Notes = [.. s.Sample ? [SampleNote] : Array.Empty<string>(), .. Warnings],
        };
    }

    /// <summary>A chip's status: failed without a QA record, skipped when stage 9 left it out, else kept or rejected by
    /// the stage-10 rule (the reason names the limit it broke, the bad-pixel one first).</summary>
    public static ReportChip Chip(ChipFacts c, ChipFilterRule rule, string? split)
    {
        if (c.Qa is not { } q) return new ReportChip(c.ChipId, c.Tile, ChipStatus.Failed, c.Footprint, c.MissingReason);
        var valid = q.Valid.Select(v => (long)v).ToList();
        if (!q.Built || q.Row is not { } row)
            return new ReportChip(c.ChipId, c.Tile, ChipStatus.Skipped, c.Footprint, q.Reason, q.BadPct, null, valid);
        bool kept = rule.Keep(row);
        string? reason = kept ? null
            : row.BadPctMax >= rule.MaxBadPct ? $"bad_pct_max >= {rule.MaxBadPct.ToString("0.##", CultureInfo.InvariantCulture)}" : $"na_count > {rule.MaxNaCount}";
        return new ReportChip(c.ChipId, c.Tile, kept ? ChipStatus.Kept : ChipStatus.Rejected, c.Footprint, reason,
            row.BadPct, row.NaCount, row.Valid.Select(v => (long)v).ToList(), split, c.QuicklookPng);
    }
}
