namespace CropData.Build.Tests.Reliability;

/// <summary>
/// Polls a dataset folder (every ~10 ms, outside .build/) while a build runs and records every band file, under its
/// final name or the engine's temp name, whose bytes are not the verified file: a partial download, a hostile
/// peer's bytes, anything unverified that became visible in the dataset even for a moment.
/// </summary>
public sealed class DatasetWatch : IDisposable
{
    private readonly string _dataset;
    private readonly Dictionary<string, byte[]> _expected;
    private readonly Thread _thread;
    private readonly HashSet<(string, long, long)> _checked = [];
    private volatile bool _stop;

    public DatasetWatch(string dataset, SampleCar car)
    {
        _dataset = dataset;
        _expected = car.Bands.ToDictionary(b => $"{b.Scene}.{b.Band}", b => b.Bytes, StringComparer.Ordinal);
        _thread = new Thread(Poll) { IsBackground = true, Name = "dataset watch" };
        _thread.Start();
    }

    public List<string> Violations { get; } = [];
    public int FilesChecked { get; private set; }

    private void Poll()
    {
        while (!_stop)
        {
            try { Scan(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            Thread.Sleep(10);
        }
        Scan();
    }

    private void Scan()
    {
        var tiles = Path.Combine(_dataset, "tiles");
        if (!Directory.Exists(tiles)) return;
        foreach (var file in Directory.EnumerateFiles(tiles, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists || !_checked.Add((file, info.Length, info.LastWriteTimeUtc.Ticks))) continue;
                var key = KeyOf(name);
                if (key is null || !_expected.TryGetValue(key, out var expected))
                {
                    lock (Violations) Violations.Add($"{Path.GetRelativePath(_dataset, file)}: a file that is no band file appeared ({info.Length} bytes)");
                    continue;
                }
                var bytes = File.ReadAllBytes(file);
                FilesChecked++;
                if (!bytes.AsSpan().SequenceEqual(expected))
                    lock (Violations) Violations.Add($"{Path.GetRelativePath(_dataset, file)}: {bytes.Length} bytes that are not the verified file ({expected.Length} bytes)");
            }
            catch (FileNotFoundException) { }
            catch (DirectoryNotFoundException) { }
        }
    }

    /// <summary>"scene.band" of "scene.band.tif" or of the engine's temp ".scene.band.1a2b3c4d.tmp.tif".</summary>
    private static string? KeyOf(string name)
    {
        if (name.StartsWith('.') && name.EndsWith(".tmp.tif", StringComparison.Ordinal))
        {
            var stem = name[1..^".tmp.tif".Length];
            var dot = stem.LastIndexOf('.');
            return dot > 0 ? stem[..dot] : null;
        }
        return name.EndsWith(".tif", StringComparison.Ordinal) ? name[..^4] : null;
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
