using System.Globalization;

namespace CropData.Graph;

public enum TaskRunStatus
{
    /// <summary>At least one unit was built (unit task).</summary>
    Built,
    /// <summary>Every unit was up to date.</summary>
    UpToDate,
    /// <summary>The plain task ran.</summary>
    Ran,
    Failed,
    Skipped,
    /// <summary>Dry run: some units would build (or a plain task would run).</summary>
    WouldBuild,
    /// <summary>Dry run: Units() needs outputs of upstream tasks that do not exist yet.</summary>
    Unknown,
}

public enum UnitStatus
{
    UpToDate,
    Built,
    Failed,
    Skipped,
    WouldBuild,
}

/// <summary>Why a unit is out of date (or skipped).</summary>
public enum ReasonKind
{
    Forced,
    New,
    TaskVersionChanged,
    DeclaredOutputsChanged,
    ConfigChanged,
    InputChanged,
    InputMissing,
    UpstreamWillBuild,
    OutputMissing,
    OutputChanged,
    UpstreamFailed,
    Cancelled,
}

/// <param name="Key">For a changed config value: the dotted key of the leaf that changed; <paramref name="Old"/> and
/// <paramref name="New"/> its canonical values (null when unset).</param>
public readonly record struct BuildReason(ReasonKind Kind, string? Detail = null, string? Key = null, string? Old = null, string? New = null)
{
    public string KindText => Kind switch
    {
        ReasonKind.Forced => "forced",
        ReasonKind.New => "new",
        ReasonKind.TaskVersionChanged => "task version changed",
        ReasonKind.DeclaredOutputsChanged => "declared outputs changed",
        ReasonKind.ConfigChanged => "config key changed",
        ReasonKind.InputChanged => "input changed",
        ReasonKind.InputMissing => "input missing",
        ReasonKind.UpstreamWillBuild => "may rebuild (early cutoff decides), input will be rebuilt",
        ReasonKind.OutputMissing => "output missing",
        ReasonKind.OutputChanged => "output changed",
        ReasonKind.UpstreamFailed => "input comes from a failed or skipped unit",
        ReasonKind.Cancelled => "cancelled",
        _ => Kind.ToString(),
    };

    public override string ToString() => Detail is null ? KindText : KindText + ": " + Detail;
}

public sealed record UnitReport(string Id, UnitStatus Status, IReadOnlyList<BuildReason> Reasons, string? Message, TimeSpan Elapsed)
{
    public string ReasonText => string.Join("; ", Reasons);
}

public sealed record UnitFailure(string Task, string? UnitId, string Message);

public sealed record UnitWarning(string Task, string UnitId, string Message);

public sealed record TaskSummary(
    string Name,
    TaskRunStatus Status,
    bool IsUnitTask,
    int Built,
    int UpToDate,
    int Failed,
    int Skipped,
    int WouldBuild,
    int Removed,
    TimeSpan Elapsed,
    string? Note,
    IReadOnlyList<UnitReport> Units)
{
    public static TaskSummary Plain(string name, TaskRunStatus status, TimeSpan elapsed, string? note = null) =>
        new(name, status, false, 0, 0, 0, 0, 0, 0, elapsed, note, []);

    public UnitReport? Unit(string id) => Units.FirstOrDefault(u => u.Id == id);

    public IEnumerable<string> UnitsWith(UnitStatus status) => Units.Where(u => u.Status == status).Select(u => u.Id);
}

/// <summary>Everything a run decided, for callers that want more than the exit code (tests, build logs).</summary>
public sealed class BuildResult
{
    public required int ExitCode { get; init; }
    public IReadOnlyList<TaskSummary> Tasks { get; init; } = [];
    public IReadOnlyList<UnitFailure> Failures { get; init; } = [];
    public IReadOnlyList<UnitWarning> Warnings { get; init; } = [];

    /// <summary>Files whose content was read to hash them in this run (0 on a no-op check of settled files).</summary>
    public long FilesHashed { get; init; }
    public long BytesHashed { get; init; }

    /// <summary>Set when the run stopped before executing (usage error, lock held, context factory threw).</summary>
    public string? Error { get; init; }

    /// <summary>Some unit task was checked and none had anything to build (a run of plain tasks only says nothing).</summary>
    public bool EverythingUpToDate =>
        ExitCode == 0 && Error is null && Failures.Count == 0 && Tasks.Any(t => t.IsUnitTask) &&
        Tasks.All(t => t.Built == 0 && t.Failed == 0 && t.Skipped == 0 && t.WouldBuild == 0 && t.Status != TaskRunStatus.Unknown);

    public TaskSummary? Task(string name) => Tasks.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    internal static string FormatTime(TimeSpan t) => t.TotalSeconds < 60
        ? t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m {t.Seconds:00}s");
}
