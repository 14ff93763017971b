namespace CropData.Ipfs.Tests.Support;

/// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts later, after the call may have returned).</summary>
public sealed class SyncProgress<T> : IProgress<T>
{
    private readonly List<T> _items = [];
    public void Report(T value) { lock (_items) _items.Add(value); }
    public IReadOnlyList<T> Items { get { lock (_items) return [.. _items]; } }
}
