using System.Security.Cryptography;
using System.Text;
using CropData.Graph.Engine;

namespace CropData.Graph.Tests;

/// <summary>BuildContext.Sha256Of: plain tasks (the dataset manifest) hash through the run's cache, as unit inputs do.</summary>
public sealed class ContextHashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctx-hash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class PlainContext(string state) : BuildContext(BuildOptions.Parse([]))
    {
        public override string StateDirectory => state;
        public override string? ConfigValue(string key) => null;
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private string Old(string name, string text, double hoursAgo = 1)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-hoursAgo));
        return path;
    }

    [Fact]
    public void An_unchanged_file_is_answered_from_the_cache_across_runs_and_a_change_is_seen()
    {
        var file = Old("a.bin", "abc");
        var cacheFile = Path.Combine(_dir, "state", "hashes.bin");
        var first = HashCache.Load(cacheFile);
        var c = new PlainContext(Path.Combine(_dir, "state")) { Hashes = first };
        Assert.Equal(Sha("abc"), c.Sha256Of(file));
        Assert.Equal(Sha("abc"), c.Sha256Of(file));
        Assert.Equal(1, first.FilesHashed);
        first.SaveIfDirty();

        var second = HashCache.Load(cacheFile);
        c.Hashes = second;
        Assert.Equal(Sha("abc"), c.Sha256Of(file));
        Assert.Equal(0, second.FilesHashed);   // the next run reads no content

        Old("a.bin", "abd", hoursAgo: 0.5);   // same size, other mtime
        Assert.Equal(Sha("abd"), c.Sha256Of(file));
        Assert.Equal(1, second.FilesHashed);

        Assert.Throws<FileNotFoundException>(() => c.Sha256Of(Path.Combine(_dir, "missing.bin")));
    }

    [Fact]
    public void Without_a_run_the_file_is_simply_hashed()
    {
        var c = new PlainContext(Path.Combine(_dir, "state"));
        Assert.Equal(Sha("xyz"), c.Sha256Of(Old("b.bin", "xyz")));
    }
}
