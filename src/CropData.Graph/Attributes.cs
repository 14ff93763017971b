namespace CropData.Graph;

/// <summary>Names a task for <c>--target</c>, <c>--force</c> and the summary (Cake Frosting's attribute of the same name).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Declares that a task runs after <paramref name="task"/>; several may be given, they run in the order written.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

/// <summary>One line shown by <c>--description</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskDescriptionAttribute(string text) : Attribute
{
    public string Description { get; } = text;
}

/// <summary>Makes this task the one "Default" resolves to (alternative to naming a task "Default").</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class IsDefaultTargetAttribute : Attribute;

/// <summary>
/// An option read by one task (<c>--from</c> of merge, <c>--file</c> of cid): it is accepted only when that task runs,
/// and listed under it by <c>--description</c>. On the context class, an option every target accepts (<c>--root</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class TaskArgumentAttribute(string name, string value, string description) : Attribute
{
    public string Name { get; } = name;
    /// <summary>What the value looks like (<c>DIR1,DIR2,...</c>); empty for a flag.</summary>
    public string Value { get; } = value;
    public string Description { get; } = description;
}

/// <summary>A note --help prints after the options and targets (on the context class: the default config, where to start).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class BuildHelpAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>
/// The configuration keys a unit task's units read (a section such as "selection", or one dotted key such as
/// "cdl.path"): their values enter every unit's fingerprint, so changing one rebuilds exactly the units that read it.
/// Declared on the class, they are known without running the task (docs/CONFIG.md lists which stage reads what).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReadsConfigAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}

/// <summary>
/// Configuration keys a unit task reads for how it works, not for what its units produce (where band files are
/// fetched from, timeouts, concurrency; the band list that only names units): readable by its units, but not part of
/// their fingerprints, so changing one rebuilds nothing. Reading a key declared by neither attribute fails.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class UsesConfigAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}
