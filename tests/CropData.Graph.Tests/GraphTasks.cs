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

public sealed class DiscoverContext(BuildOptions options, World world) : WorldContext(options, world);

[TaskName("list")]
public sealed class ListTask : UnitTask<DiscoverContext, string>
{
    public override IEnumerable<string> Units(DiscoverContext c) => ["list"];
    public override string UnitId(string unit) => unit;
    public override UnitSpec Describe(string unit, DiscoverContext c) => new([], [], [c.World.P("list.txt")]);
    public override void Run(string unit, DiscoverContext c, UnitOutputs o) => World.WriteAllTextVia(o, c.World.P("list.txt"), "x\ny\n");
}

[TaskName("items")]
[IsDependentOn(typeof(ListTask))]
public sealed class ItemsTask : UnitTask<DiscoverContext, string>
{
    // Like chips discovered from an upstream file: unknowable before "list" has run.
    public override IEnumerable<string> Units(DiscoverContext c) => File.ReadAllLines(c.World.P("list.txt")).Where(l => l.Length > 0);
    public override string UnitId(string unit) => "item/" + unit; // a slash: the stamp file name is hashed
    public override UnitSpec Describe(string unit, DiscoverContext c) => new([c.World.P("list.txt")], [], [c.World.P("items", unit + ".txt")]);
    public override void Run(string unit, DiscoverContext c, UnitOutputs o)
    {
        c.World.Runs.Enqueue("items/" + unit);
        World.WriteAllTextVia(o, c.World.P("items", unit + ".txt"), unit);
    }
}

public sealed class ParContext(BuildOptions options, World world) : WorldContext(options, world)
{
    public int Current;
    public int Max;
    public int Expected;
    public int? TaskLimit;
    public readonly ManualResetEventSlim Reached = new(false);
}

[TaskName("par")]
public sealed class ParallelUnitsTask : UnitTask<ParContext, int>
{
    public override IEnumerable<int> Units(ParContext c) => Enumerable.Range(0, 8);
    public override string UnitId(int unit) => "u" + unit;
    public override int MaxParallelism(ParContext c) => c.TaskLimit ?? base.MaxParallelism(c);
    public override UnitSpec Describe(int unit, ParContext c) => new([], [], [c.World.P("par", unit + ".txt")]);

    public override void Run(int unit, ParContext c, UnitOutputs o)
    {
        int now = Interlocked.Increment(ref c.Current);
        int max;
        while (now > (max = Volatile.Read(ref c.Max)) && Interlocked.CompareExchange(ref c.Max, now, max) != max) { }
        if (now >= c.Expected) c.Reached.Set();
        // Blocks (as GDAL work does) until the expected number of units overlap; a engine running fewer at
        // once leaves Max below Expected after the timeout and the test fails.
        c.Reached.Wait(TimeSpan.FromSeconds(10));
        Thread.Sleep(20);
        World.WriteAllTextVia(o, c.World.P("par", unit + ".txt"), unit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Interlocked.Decrement(ref c.Current);
    }
}

public sealed class LockContext(BuildOptions options, World world) : WorldContext(options, world)
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ManualResetEventSlim Entered, ManualResetEventSlim Release)> Gates = new();
}

[TaskName("hold")]
public sealed class HoldTask : FrostingTask<LockContext>
{
    public override void Run(LockContext context)
    {
        var (entered, release) = LockContext.Gates[context.World.Root];
        entered.Set();
        release.Wait(TimeSpan.FromSeconds(30));
    }
}
