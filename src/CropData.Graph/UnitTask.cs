using CropData.Graph.Engine;

namespace CropData.Graph;

/// <summary>
/// What one unit reads and writes. Inputs are files (their content hashes enter the fingerprint, in the order
/// given); config keys are looked up with <see cref="BuildContext.ConfigValue"/>; outputs are the files the
/// unit may produce. Relative paths are taken from the current directory.
/// </summary>
public sealed record UnitSpec(IReadOnlyList<string> Inputs, IReadOnlyList<string> ConfigKeys, IReadOnlyList<string> Outputs)
{
    /// <summary>
    /// Folders the unit produces whole (a generated input tree whose file list is known only once it is made). Every
    /// file in them is recorded in the stamp and owned like a declared output; a file in the folder that the unit did
    /// not produce makes it rebuild. Such units run under a lock beside the folder, so builds of several datasets
    /// that share it (the data folder) never write it at the same time.
    /// </summary>
    public IReadOnlyList<string> OutputFolders { get; init; } = [];

    /// <summary>Lets a spec be written with LINQ (<c>Inputs: scenes.SelectMany(...).Append(cdl)</c>).</summary>
    public UnitSpec(IEnumerable<string> Inputs, IEnumerable<string> ConfigKeys, IEnumerable<string> Outputs)
        : this((IReadOnlyList<string>)Inputs.ToArray(), ConfigKeys.ToArray(), Outputs.ToArray())
    {
    }

    /// <summary>A spec whose config keys are the task's <see cref="ReadsConfigAttribute"/> alone (the usual case).</summary>
    public UnitSpec(IEnumerable<string> Inputs, IEnumerable<string> Outputs)
        : this((IReadOnlyList<string>)Inputs.ToArray(), [], Outputs.ToArray())
    {
    }
}

/// <summary>
/// A task made of independent units of work (chips, scenes...). The engine implements the task's Run: it asks
/// for the units, plans which are out of date, runs those in parallel, stamps them and removes stale ones.
/// Units of one task must not read each other's outputs (they run concurrently); Describe, UnitId and ShardKey
/// must be pure and thread-safe.
/// </summary>
public abstract class UnitTask<TContext, TUnit> : FrostingTask<TContext>, IUnitTask where TContext : BuildContext
{
    /// <summary>Bump when the output format changes: every unit of the task rebuilds.</summary>
    public virtual string Version => "1";

    /// <summary>Aggregates (split, stats...) read every unit's output, so they do not run inside a shard.</summary>
    public virtual bool IsAggregate => false;

    /// <summary>Called when the task runs (upstream outputs exist then); in a dry run it may throw.</summary>
    public abstract IEnumerable<TUnit> Units(TContext context);

    /// <summary>Stable and unique within the task: it names the unit's stamp.</summary>
    public abstract string UnitId(TUnit unit);

    public abstract UnitSpec Describe(TUnit unit, TContext context);

    /// <summary>null = every shard runs the unit; otherwise the unit runs in shard StableHash(key) % N.</summary>
    public virtual string? ShardKey(TUnit unit) => null;

    /// <summary>How many units of this task run at once; I/O-bound tasks may go above --jobs.</summary>
    public virtual int MaxParallelism(TContext context) => context.Options.Jobs;

    public virtual void Run(TUnit unit, TContext context, UnitOutputs outputs) =>
        throw new NotImplementedException($"{GetType().Name} must override Run(unit, context, outputs) or RunAsync(unit, context, outputs)");

    public virtual Task RunAsync(TUnit unit, TContext context, UnitOutputs outputs)
    {
        Run(unit, context, outputs);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The gather step: runs once after the task's units and builds the stage's dataset-wide tables from their
    /// outputs (chip_tiles.csv, track_chips.csv...). Every file it writes goes through <paramref name="outputs"/>, so
    /// the engine owns it like a unit output: identical bytes leave the file untouched, and a file an earlier gather
    /// wrote that this one does not is deleted. The engine does not run it in a dry run, inside a shard (the tables
    /// are dataset-wide: merge writes them), or when a unit of the task failed (a table must not describe a
    /// half-built stage).
    /// </summary>
    public virtual void Gather(TContext context, IReadOnlyList<TUnit> units, UnitOutputs outputs) { }

    public sealed override void Run(TContext context) =>
        throw new InvalidOperationException($"{GetType().Name} is a unit task; the build host runs it (BuildHost.RunAsync)");

    public sealed override Task RunAsync(TContext context) =>
        throw new InvalidOperationException($"{GetType().Name} is a unit task; the build host runs it (BuildHost.RunAsync)");

    bool IUnitTask.IsAggregate => IsAggregate;

    Task<TaskSummary> IUnitTask.ExecuteAsync(string name, BuildContext context, BuildSession session) =>
        UnitEngine<TContext, TUnit>.ExecuteAsync(this, name, (TContext)context, session);
}

internal interface IUnitTask
{
    bool IsAggregate { get; }
    Task<TaskSummary> ExecuteAsync(string name, BuildContext context, BuildSession session);
}
