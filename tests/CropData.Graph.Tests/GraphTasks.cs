namespace CropData.Graph.Tests;

public sealed class CycleContext(BuildOptions options, World world) : WorldContext(options, world);

[TaskName("cyc-a")][IsDependentOn(typeof(CycleC))] public sealed class CycleA : FrostingTask<CycleContext>;
[TaskName("cyc-b")][IsDependentOn(typeof(CycleA))] public sealed class CycleB : FrostingTask<CycleContext>;
[TaskName("cyc-c")][IsDependentOn(typeof(CycleB))] public sealed class CycleC : FrostingTask<CycleContext>;

public sealed class DiamondContext(BuildOptions options, World world) : WorldContext(options, world);

[TaskName("base")] public sealed class DiamondBase : FrostingTask<DiamondContext>;
[TaskName("left")][IsDependentOn(typeof(DiamondBase))][IsDefaultTarget] public sealed class DiamondLeft : FrostingTask<DiamondContext>;
[TaskName("right")][IsDependentOn(typeof(DiamondBase))] public sealed class DiamondRight : FrostingTask<DiamondContext>;
[TaskName("top")][IsDependentOn(typeof(DiamondLeft))][IsDependentOn(typeof(DiamondRight))] public sealed class DiamondTop : FrostingTask<DiamondContext>;

public sealed class GateContext(BuildOptions options, World world) : WorldContext(options, world);

public abstract class RecordingTask : FrostingTask<GateContext>
{
    protected abstract string Name { get; }
    public override void Run(GateContext context) => context.World.Runs.Enqueue("gate/" + Name);
}

[TaskName("closed")] public sealed class ClosedTask : RecordingTask
{
    protected override string Name => "closed";
    public override bool ShouldRun(GateContext context) => false;
}

[TaskName("after-closed")][IsDependentOn(typeof(ClosedTask))] public sealed class AfterClosedTask : RecordingTask
{
    protected override string Name => "after-closed";
}

[TaskName("broken")] public sealed class BrokenTask : FrostingTask<GateContext>
{
    public override Task RunAsync(GateContext context) => throw new InvalidOperationException("broken on purpose");
    public override void OnError(Exception exception, GateContext context) => context.World.Runs.Enqueue("gate/broken OnError");
    public override void Finally(GateContext context) => context.World.Runs.Enqueue("gate/broken Finally");
}

[TaskName("after-broken")][IsDependentOn(typeof(BrokenTask))] public sealed class AfterBrokenTask : RecordingTask
{
    protected override string Name => "after-broken";
}
