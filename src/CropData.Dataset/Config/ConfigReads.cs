using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CropData.Dataset.Config;

/// <summary>
/// Guards reads of the typed config against the keys a build unit declared. A unit's fingerprint holds the values of
/// its declared keys only, so a value read without being declared could change without rebuilding the unit: inside
/// a declared scope every such read fails, naming the key and the keys the unit declared.
/// </summary>
public static class ConfigReads
{
    private static readonly AsyncLocal<Scope?> Current = new();
    private static readonly ConcurrentDictionary<(string, string), string> Keys = new();

    /// <summary>Reads inside the returned scope (and the work it starts) may touch only <paramref name="declared"/>
    /// and the keys under them; disposing it restores the enclosing scope.</summary>
    public static IDisposable Declare(string owner, IReadOnlyCollection<string> declared)
    {
        var scope = new Scope(owner, declared, Current.Value);
        Current.Value = scope;
        return scope;
    }

    /// <summary>Reads inside the returned scope are checked by no one (loading or validating a whole config).</summary>
    public static IDisposable Unchecked()
    {
        var outer = Current.Value;
        Current.Value = null;
        return new Restore(outer);
    }

    private sealed class Restore(Scope? outer) : IDisposable
    {
        public void Dispose() => Current.Value = outer;
    }

    /// <summary>Fails when a declared scope is active and does not cover <paramref name="key"/> (a dotted config key).</summary>
    public static void Check(string key)
    {
        if (Current.Value is not { } scope || scope.Covers(key)) return;
        throw new UndeclaredConfigReadException(
            $"{scope.Owner} read config key '{key}' without declaring it (declared: {(scope.Declared.Count == 0 ? "none" : string.Join(", ", scope.Declared))}); " +
            "add it to the task's [ReadsConfig] so its units rebuild when it changes (or to [UsesConfig] if it does not change what they make)");
    }

    internal static void Check(string section, string property)
    {
        if (Current.Value is null) return;
        Check(Keys.GetOrAdd((section, property), k =>
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(k.Item2);
            return k.Item1.Length == 0 ? name : k.Item1 + "." + name;
        }));
    }

    private sealed class Scope(string owner, IReadOnlyCollection<string> declared, Scope? outer) : IDisposable
    {
        private readonly Restore _restore = new(outer);

        public string Owner { get; } = owner;
        public IReadOnlyCollection<string> Declared { get; } = declared;

        public bool Covers(string key) => Declared.Any(d => key == d || (key.StartsWith(d, StringComparison.Ordinal) && key.Length > d.Length && key[d.Length] == '.'));

        public void Dispose() => _restore.Dispose();
    }
}

/// <summary>A build unit read a config key it did not declare (a programming error: its fingerprint would miss the key).</summary>
public sealed class UndeclaredConfigReadException(string message) : InvalidOperationException(message);

/// <summary>
/// A section of the typed config whose settings are guarded by <see cref="ConfigReads"/>: a getter returns
/// <c>Read(field)</c>, which checks the key <c>section.property_name</c> (snake_case, as in the YAML).
/// </summary>
public abstract record ConfigSection
{
    /// <summary>The section's dotted key ("" for the top level).</summary>
    private protected abstract string Section { get; }

    protected T Read<T>(T value, [CallerMemberName] string property = "")
    {
        ConfigReads.Check(Section, property);
        return value;
    }
}
