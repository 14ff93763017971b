namespace CropData.Graph.Tests;

/// <summary>
/// A context that sees its config reads (as the dataset context does through its typed config): a read outside the
/// keys the engine declared for the current call fails.
/// </summary>
public sealed class ScopeContext(BuildOptions options, World world) : WorldContext(options, world)
{
    private static readonly AsyncLocal<IReadOnlyCollection<string>?> Declared = new();

    public override IDisposable? DeclareConfigReads(string task, IReadOnlyCollection<string> keys)
    {
        var outer = Declared.Value;
        Declared.Value = keys;
        return new Restore(() => Declared.Value = outer);
    }

    public string Read(string key) =>
        Declared.Value is { } keys && !keys.Contains(key)
            ? throw new InvalidOperationException($"undeclared read of '{key}' (declared: {string.Join(", ", keys)})")
            : ConfigValue(key) ?? "";

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}

[TaskName("scoped")]
[ReadsConfig("mode")]
[UsesConfig("where")]
public sealed class ScopedTask : UnitTask<ScopeContext, string>
{
    public override IEnumerable<string> Units(ScopeContext c)
    {
        _ = c.Read("where"); // listing the units may read a used key
        return c.World.Chips;
    }

    public override string UnitId(string chip) => chip;

    public override UnitSpec Describe(string chip, ScopeContext c) => new(Inputs: [], Outputs: [c.World.P("scoped", chip + ".txt")]);

    public override async Task RunAsync(string chip, ScopeContext c, UnitOutputs o)
    {
        c.World.Runs.Enqueue("scoped/" + chip);
        await Task.Yield(); // the scope follows the unit's work across awaits and threads
        var extra = await Task.Run(() => c.World.Config.TryGetValue("read-also", out var k) ? c.Read(k) : "");
        World.WriteAllTextVia(o, c.World.P("scoped", chip + ".txt"), $"{chip} {c.Read("mode")} {c.Read("where")}{extra}");
    }
}

public sealed class ConfigScopeTests : IDisposable
{
    private readonly World _w = new();

    public ConfigScopeTests()
    {
        _w.Chips = ["c1", "c2"];
        _w.Config["mode"] = "fast";
        _w.Config["where"] = "node-a";
        _w.Config["other"] = "x";
    }

    public void Dispose() => _w.Dispose();

    private Task<BuildResult> Build() => _w.BuildWith(o => new ScopeContext(o, _w), ["--target=scoped"]);

    [Fact]
    public async Task Units_read_their_declared_and_used_keys_and_only_the_declared_ones_rebuild_them()
    {
        var first = await Build();
        Assert.True(first.ExitCode == 0, _w.LastOutput);
        Assert.Equal("c1 fast node-a", _w.Read("scoped", "c1.txt"));

        _w.Config["where"] = "node-b"; // how, not what: no unit rebuilds
        var second = await Build();
        Assert.True(second.ExitCode == 0, _w.LastOutput);
        Assert.Empty(_w.RanIn("scoped"));

        _w.Config["mode"] = "exact";
        var third = await Build();
        Assert.True(third.ExitCode == 0, _w.LastOutput);
        Assert.Equal(["c1", "c2"], _w.RanIn("scoped"));
        Assert.All(third.Task("scoped")!.Units, u => Assert.Contains(u.Reasons, r => r.Kind == ReasonKind.ConfigChanged && r.Key == "mode"));
    }

    [Fact]
    public async Task A_unit_reading_a_key_it_did_not_declare_fails_and_names_the_key()
    {
        _w.Config["read-also"] = "other";
        var r = await Build();
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(2, r.Task("scoped")!.Failed);
        Assert.Contains("undeclared read of 'other' (declared: mode, where)", _w.LastOutput);
        Assert.False(File.Exists(_w.P("scoped", "c1.txt")));
    }
}
