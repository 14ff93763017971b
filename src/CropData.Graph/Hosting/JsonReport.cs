using System.Text.Json;

namespace CropData.Graph.Hosting;

/// <summary>
/// <c>--json</c>: the dry-run plan or the run's summary as one JSON document on stdout, for CI to read: every task with
/// its status and counts, every unit that is not simply up to date with its status and reasons (a changed config value
/// with its key and its old and new values).
/// </summary>
internal static class JsonReport
{
    /// <summary>A unit that would build only because an input will be rebuilt: early cutoff may leave it alone.</summary>
    public static bool MayBuildOnly(UnitReport u) =>
        u.Status == UnitStatus.WouldBuild && u.Reasons.Count > 0 && u.Reasons.All(r => r.Kind == ReasonKind.UpstreamWillBuild);

    public static void Write(TextWriter stdout, BuildResult result, string target, bool dryRun)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("target", target);
            w.WriteBoolean("dry_run", dryRun);
            w.WriteNumber("exit_code", result.ExitCode);
            w.WriteStartArray("tasks");
            foreach (var t in result.Tasks)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("status", Status(t.Status));
                if (t.IsUnitTask)
                {
                    int may = t.Units.Count(MayBuildOnly);
                    w.WriteNumber("units", t.Units.Count);
                    if (dryRun)
                    {
                        w.WriteNumber("would_build", t.WouldBuild - may);
                        w.WriteNumber("may_build", may);
                    }
                    else
                    {
                        w.WriteNumber("built", t.Built);
                        w.WriteNumber("failed", t.Failed);
                        w.WriteNumber("not_run", t.Skipped);
                    }
                    w.WriteNumber("up_to_date", t.UpToDate);
                }
                if (t.Note is not null) w.WriteString("note", t.Note);
                w.WriteStartArray("changed_units");
                foreach (var u in t.Units.Where(u => u.Status != UnitStatus.UpToDate))
                {
                    w.WriteStartObject();
                    w.WriteString("id", u.Id);
                    w.WriteString("status", MayBuildOnly(u) ? "may build" : Status(u.Status));
                    if (u.Message is not null) w.WriteString("message", u.Message);
                    w.WriteStartArray("reasons");
                    foreach (var r in u.Reasons)
                    {
                        w.WriteStartObject();
                        w.WriteString("kind", r.KindText);
                        if (r.Detail is not null) w.WriteString("detail", r.Detail);
                        if (r.Key is not null)
                        {
                            w.WriteString("key", r.Key);
                            w.WriteString("old", r.Old);
                            w.WriteString("new", r.New);
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Messages(w, "failures", result.Failures.Select(f => (f.Task, f.UnitId, f.Message)));
            Messages(w, "warnings", result.Warnings.Select(x => (x.Task, (string?)x.UnitId, x.Message)));
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        stdout.Flush();
    }

    private static void Messages(Utf8JsonWriter w, string name, IEnumerable<(string Task, string? Unit, string Message)> items)
    {
        w.WriteStartArray(name);
        foreach (var (task, unit, message) in items)
        {
            w.WriteStartObject();
            w.WriteString("task", task);
            w.WriteString("unit", unit);
            w.WriteString("message", message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static string Status(TaskRunStatus s) => s switch
    {
        TaskRunStatus.UpToDate => "up to date",
        TaskRunStatus.WouldBuild => "would build",
        _ => s.ToString().ToLowerInvariant(),
    };

    private static string Status(UnitStatus s) => s switch
    {
        UnitStatus.UpToDate => "up to date",
        UnitStatus.WouldBuild => "would build",
        UnitStatus.Skipped => "not run",
        _ => s.ToString().ToLowerInvariant(),
    };
}
