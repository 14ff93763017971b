using System.Reflection;
using System.Text;

namespace CropData.Graph.Hosting;

internal sealed class TaskNode
{
    public required string Name { get; init; }
    public Type? Type { get; init; }
    public IHostedTask? Task { get; set; }
    public string? Description { get; init; }
    public bool MarkedDefault { get; init; }

    /// <summary>The "Default" that builds every task when no task is named Default or marked [IsDefaultTarget].</summary>
    public bool Synthetic { get; init; }

    public List<TaskNode> Dependencies { get; } = [];
    public bool IsUnitTask => Task is IUnitTask;
}

/// <summary>The tasks of one build and their [IsDependentOn] edges.</summary>
internal sealed class TaskGraph
{
    private readonly Dictionary<string, TaskNode> _byName;

    private TaskGraph(List<TaskNode> tasks, TaskNode defaultTarget)
    {
        Tasks = tasks;
        Default = defaultTarget;
        _byName = tasks.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        if (defaultTarget.Synthetic) _byName[defaultTarget.Name] = defaultTarget;
    }

    /// <summary>Real tasks, sorted by name.</summary>
    public IReadOnlyList<TaskNode> Tasks { get; }

    public TaskNode Default { get; }

    /// <summary>Names --target accepts, sorted (the synthetic Default included).</summary>
    public IEnumerable<string> TargetNames =>
        _byName.Values.Select(t => t.Name).Order(StringComparer.OrdinalIgnoreCase);

    public TaskNode? Find(string name)
    {
        if (string.Equals(name, BuildOptions.DefaultTarget, StringComparison.OrdinalIgnoreCase)) return Default;
        return _byName.GetValueOrDefault(name);
    }

    public static IEnumerable<Type> Discover(IEnumerable<Assembly> assemblies)
    {
        foreach (var assembly in assemblies)
        {
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types;
            }
            foreach (var t in types)
                if (t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && ContextTypeOf(t) is not null)
                    yield return t;
        }
    }

    /// <summary>TContext of FrostingTask&lt;TContext&gt; in the type's base chain, or null for other types.</summary>
    public static Type? ContextTypeOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(FrostingTask<>))
                return t.GetGenericArguments()[0];
        return null;
    }

    /// <param name="explicitTypes">true when the caller listed the types: one of another context is an error, not ignored.</param>
    public static TaskGraph Build(Type contextType, IEnumerable<Type> candidates, bool explicitTypes)
    {
        var nodes = new List<TaskNode>();
        var byType = new Dictionary<Type, TaskNode>();
        var byName = new Dictionary<string, TaskNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in candidates.Distinct())
        {
            var taskContext = ContextTypeOf(type);
            // Like Cake, a task's context must be the build's context or a base of it; tasks written for
            // another context in the same assembly belong to another build.
            if (taskContext is null || !taskContext.IsAssignableFrom(contextType))
            {
                if (explicitTypes)
                    throw new BuildUsageException($"{type.FullName} is not a task for {contextType.Name}");
                continue;
            }
            string name = type.GetCustomAttribute<TaskNameAttribute>()?.Name ?? DefaultName(type);
            if (string.IsNullOrWhiteSpace(name)) throw new BuildUsageException($"{type.FullName} has an empty task name");
            if (byName.TryGetValue(name, out var clash))
                throw new BuildUsageException($"two tasks are named '{name}': {clash.Type!.FullName} and {type.FullName}");
            var node = new TaskNode
            {
                Name = name,
                Type = type,
                Description = type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description,
                MarkedDefault = type.GetCustomAttribute<IsDefaultTargetAttribute>() is not null,
            };
            nodes.Add(node);
            byType[type] = node;
            byName[name] = node;
        }

        foreach (var node in nodes)
        {
            foreach (var dep in node.Type!.GetCustomAttributes<IsDependentOnAttribute>())
            {
                if (!byType.TryGetValue(dep.Task, out var target))
                    throw new BuildUsageException($"task '{node.Name}' depends on {dep.Task.FullName}, which is not a task of this build");
                if (!node.Dependencies.Contains(target)) node.Dependencies.Add(target);
            }
        }

        nodes.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        var cycle = FindCycle(nodes);
        if (cycle is not null) throw new BuildUsageException("dependency cycle: " + cycle);

        var marked = nodes.Where(n => n.MarkedDefault).ToList();
        byName.TryGetValue(BuildOptions.DefaultTarget, out var named);
        if (marked.Count > 1)
            throw new BuildUsageException("more than one task has [IsDefaultTarget]: " + string.Join(", ", marked.Select(m => m.Name)));
        if (named is not null && marked.Count == 1 && marked[0] != named)
            throw new BuildUsageException($"a task is named '{named.Name}' and '{marked[0].Name}' has [IsDefaultTarget]; keep one");
        var defaultTarget = named ?? marked.FirstOrDefault();
        if (defaultTarget is null)
        {
            defaultTarget = new TaskNode { Name = BuildOptions.DefaultTarget, Synthetic = true, Description = "builds every task" };
            var needed = nodes.SelectMany(n => n.Dependencies).ToHashSet();
            defaultTarget.Dependencies.AddRange(nodes.Where(n => !needed.Contains(n)));
        }
        return new TaskGraph(nodes, defaultTarget);
    }

    /// <summary>Cake's convention: the class name without a trailing "Task".</summary>
    private static string DefaultName(Type type) =>
        type.Name.EndsWith("Task", StringComparison.Ordinal) && type.Name.Length > 4 ? type.Name[..^4] : type.Name;

    /// <summary>"a -> b -> a" for the first cycle met walking the tasks by name, or null.</summary>
    private static string? FindCycle(List<TaskNode> nodes)
    {
        var state = new Dictionary<TaskNode, int>(); // 1 = on the stack, 2 = done
        var stack = new List<TaskNode>();
        string? Visit(TaskNode n)
        {
            state[n] = 1;
            stack.Add(n);
            foreach (var d in n.Dependencies)
            {
                if (state.GetValueOrDefault(d) == 1)
                {
                    var loop = stack.Skip(stack.IndexOf(d)).Select(x => x.Name).Append(d.Name);
                    return string.Join(" -> ", loop);
                }
                if (state.GetValueOrDefault(d) == 0 && Visit(d) is { } found) return found;
            }
            stack.RemoveAt(stack.Count - 1);
            state[n] = 2;
            return null;
        }
        foreach (var n in nodes)
            if (state.GetValueOrDefault(n) == 0 && Visit(n) is { } found)
                return found;
        return null;
    }

    /// <summary>Dependencies first, in the order they are declared (as Cake runs them); each task once.</summary>
    public List<TaskNode> ExecutionOrder(TaskNode target, bool exclusive)
    {
        var order = new List<TaskNode>();
        if (exclusive)
        {
            if (!target.Synthetic) order.Add(target);
            return order;
        }
        var seen = new HashSet<TaskNode>();
        void Visit(TaskNode n)
        {
            if (!seen.Add(n)) return;
            foreach (var d in n.Dependencies) Visit(d);
            if (!n.Synthetic) order.Add(n);
        }
        Visit(target);
        return order;
    }

    public string Tree(TaskNode target)
    {
        var sb = new StringBuilder();
        var expanded = new HashSet<TaskNode>();
        sb.Append(target.Name).Append('\n');
        expanded.Add(target);
        void Walk(TaskNode n, string indent)
        {
            for (int i = 0; i < n.Dependencies.Count; i++)
            {
                var d = n.Dependencies[i];
                bool last = i == n.Dependencies.Count - 1;
                bool again = !expanded.Add(d);
                sb.Append(indent).Append(last ? "└── " : "├── ").Append(d.Name);
                if (again && d.Dependencies.Count > 0) sb.Append(" (see above)");
                sb.Append('\n');
                if (!again) Walk(d, indent + (last ? "    " : "│   "));
            }
        }
        Walk(target, "");
        return sb.ToString().TrimEnd('\n');
    }
}
