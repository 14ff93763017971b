namespace CropData.Graph.Tests;

/// <summary>in/{chip}.txt → source → a/{chip}.txt → upper → b/{chip}.txt → merge → merged.txt → report.</summary>
[TaskArgument("aoi", "PATH", "an option every target accepts")]
public sealed class PipeContext(BuildOptions options, World world) : WorldContext(options, world);

public static class Ambient
{
    /// <summary>Version of the source task for the current test's async flow (Version has no context argument).</summary>
    public static readonly AsyncLocal<string?> SourceVersion = new();
}

[TaskName("source")]
[TaskDescription("Prefix every input with the configured prefix")]
public sealed class SourceTask : UnitTask<PipeContext, string>
{
    public override string Version => Ambient.SourceVersion.Value ?? "1";
    public override IEnumerable<string> Units(PipeContext c) => c.World.Chips;
    public override string UnitId(string chip) => chip;
    public override string? ShardKey(string chip) => chip;

    // "comment" is read (so it is part of the fingerprint) but never changes the bytes written: early cutoff.
    public override UnitSpec Describe(string chip, PipeContext c) => new(
        Inputs: [c.World.P("in", chip + ".txt")],
        ConfigKeys: ["prefix", "comment"],
        Outputs: [c.World.P("a", chip + ".txt"), c.World.P("a", chip + ".flag")]);

    public override void Run(string chip, PipeContext c, UnitOutputs o)
    {
        c.World.Runs.Enqueue("source/" + chip);
        if (c.World.FailIn.ContainsKey(chip)) throw new InvalidOperationException($"boom in {chip}");
        string text = File.ReadAllText(c.World.P("in", chip + ".txt"));
        World.WriteAllTextVia(o, c.World.P("a", chip + ".txt"), c.ConfigValue("prefix") + text);
        if (c.World.ThrowAfterTemp.ContainsKey(chip)) throw new IOException($"disk full while writing {chip}");
        if (text.Contains("FLAG", StringComparison.Ordinal)) World.WriteAllTextVia(o, c.World.P("a", chip + ".flag"), "flagged");
        if (text.Contains("WARN", StringComparison.Ordinal)) o.Warn($"{chip} looks odd");
    }

    // A dataset-wide table, written through the engine like the real stages' gather steps.
    public override void Gather(PipeContext context, IReadOnlyList<string> units, UnitOutputs o)
    {
        context.World.Gathers.Enqueue($"source:{units.Count}");
        if (context.World.GatherExtra) o.WriteAllText(context.World.P("gathered", "extra.txt"), "extra\n");
        o.WriteAllText(context.World.P("gathered", "source.txt"), string.Join("\n", units.Order(StringComparer.Ordinal)) + "\n");
    }
}

[TaskName("upper")]
[IsDependentOn(typeof(SourceTask))]
[TaskDescription("Change the case of every prefixed file")]
public sealed class UpperTask : UnitTask<PipeContext, string>
{
    public override IEnumerable<string> Units(PipeContext c) => c.World.Chips;
    public override string UnitId(string chip) => chip;
    public override string? ShardKey(string chip) => chip;

    public override UnitSpec Describe(string chip, PipeContext c) => new(
        Inputs: [c.World.P("a", chip + ".txt")],
        ConfigKeys: ["case"],
        Outputs: [c.World.P("b", chip + ".txt")]);

    public override async Task RunAsync(string chip, PipeContext c, UnitOutputs o)
    {
        c.World.Runs.Enqueue("upper/" + chip);
        string text = await File.ReadAllTextAsync(c.World.P("a", chip + ".txt"));
        text = c.ConfigValue("case") == "lower" ? text.ToLowerInvariant() : text.ToUpperInvariant();
        await File.WriteAllTextAsync(o.TempPathFor(c.World.P("b", chip + ".txt")), text);
    }
}

[TaskName("merge")]
[IsDependentOn(typeof(UpperTask))]
[TaskDescription("Concatenate every chip")]
public sealed class MergeTask : UnitTask<PipeContext, string>
{
    public override bool IsAggregate => true;
    public override IEnumerable<string> Units(PipeContext c) => ["all"];
    public override string UnitId(string unit) => unit;

    public override UnitSpec Describe(string unit, PipeContext c) => new(
        Inputs: c.World.Chips.Order(StringComparer.Ordinal).Select(chip => c.World.P("b", chip + ".txt")),
        ConfigKeys: [],
        Outputs: [c.World.P("merged.txt")]);

    public override void Run(string unit, PipeContext c, UnitOutputs o)
    {
        c.World.Runs.Enqueue("merge/" + unit);
        var parts = c.World.Chips.Order(StringComparer.Ordinal).Select(chip => File.ReadAllText(c.World.P("b", chip + ".txt")));
        World.WriteAllTextVia(o, c.World.P("merged.txt"), string.Join("|", parts));
    }
}

[TaskName("report")]
[IsDependentOn(typeof(MergeTask))]
[TaskArgument("label", "TEXT", "an option only the report reads")]
public sealed class ReportTask : FrostingTask<PipeContext>
{
    public override void Run(PipeContext context) => Interlocked.Increment(ref context.World.ReportRuns);
}
