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
