using CropData.Graph.Engine;

namespace CropData.Graph.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void DefaultsAndCakeStyleFlags()
    {
        var o = BuildOptions.Parse([], _ => null);
        Assert.Equal("Default", o.Target);
        Assert.Equal(Environment.ProcessorCount, o.Jobs);
        Assert.Equal(BuildVerbosity.Normal, o.Verbosity);
        Assert.False(o.IsForced("chips"));

        o = BuildOptions.Parse(["--target=chips", "--exclusive", "--dryrun", "--config=ds.yaml", "--jobs=4", "--verbosity=diagnostic", "--force=chips, stats", "--aoi=x.geojson", "--keep"], _ => null);
        Assert.Equal(("chips", true, true, "ds.yaml", 4, BuildVerbosity.Diagnostic), (o.Target, o.Exclusive, o.DryRun, o.ConfigPath, o.Jobs, o.Verbosity));
        Assert.True(o.IsForced("CHIPS"));
        Assert.True(o.IsForced("stats"));
        Assert.False(o.IsForced("download"));
        Assert.Equal("x.geojson", o.Argument("aoi"));
        Assert.Equal("true", o.Argument("keep"));

        o = BuildOptions.Parse(["-t", "stats", "-v", "q", "--force", "--tree", "--description=true", "--exclusive=false"], _ => null);
        Assert.Equal(("stats", BuildVerbosity.Quiet, true, true, true, false), (o.Target, o.Verbosity, o.ForceAll, o.ShowTree, o.ShowDescription, o.Exclusive));
    }

    [Theory]
    [InlineData("chips")]
    [InlineData("--verbosity=loud")]
    [InlineData("--target")]
    [InlineData("--jobs=-1")]
    [InlineData("--dryrun=maybe")]
    public void BadArgumentsAreUsageErrors(string arg) =>
        Assert.Throws<BuildUsageException>(() => BuildOptions.Parse([arg], _ => null));

    [Fact]
    public void StampFileNamesAreSafeAndDistinct()
    {
        Assert.Equal("chip_184_236", StampStore.SafeFileName("chip_184_236"));
        string[] ids = ["tile/14SPJ", "tile_14SPJ", "tile\\14SPJ", "..", new string('x', 300), new string('x', 301), "a.tmp"];
        var names = ids.Select(StampStore.SafeFileName).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches(@"^[A-Za-z0-9_~.-]{1,80}$", n));
        Assert.All(names, n => Assert.False(n.StartsWith('.')));
    }

    [Fact]
    public void UnitSpecAcceptsListsAndSequences()
    {
        IEnumerable<string> scenes = ["s1.tif", "s2.tif"];
        var spec = new UnitSpec(Inputs: scenes.Append("cdl.tif"), ConfigKeys: ["bands"], Outputs: ["merged.tif", "mask.tif"]);
        Assert.Equal(["s1.tif", "s2.tif", "cdl.tif"], spec.Inputs);
        Assert.Equal(["bands"], spec.ConfigKeys);
    }

    [Fact]
    public void TempNamesAreHiddenKeepTheExtensionCarryThePidAndAreLeftovers()
    {
        string name = Path.GetFileName(TempFiles.PathFor("/data/chip_001_merged.tif"));
        Assert.Matches(@"^\.chip_001_merged\.[0-9]+-[0-9a-f]{8}\.tmp\.tif$", name);
        Assert.True(TempFiles.IsTemp(name));
        Assert.Equal(Environment.ProcessId, TempFiles.OwnerPid(name));
        Assert.False(TempFiles.IsTemp("chip_001_merged.tif"));
        Assert.False(TempFiles.IsLeftover("chip_001_merged.tif"));
        Assert.False(TempFiles.IsLeftover(".gitignore"));
        Assert.True(TempFiles.IsLeftover("chip_001_merged.tif.123-4.partial")); // GDAL's
        Assert.True(TempFiles.IsLeftover("hashes.bin.77.tmp"));
        Assert.True(TempFiles.IsLeftover("HLS.B02.tif.unverified"));
    }

    [Fact]
    public void AtomicWriteLeavesAnIdenticalFileUntouchedAndNoTemp()
    {
        var dir = Directory.CreateTempSubdirectory("cropdata-atomic-").FullName;
        try
        {
            string f = Path.Combine(dir, "sub", "t.csv");
            Assert.True(AtomicFile.WriteAllText(f, "a,b\n"));
            File.SetLastWriteTimeUtc(f, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            Assert.False(AtomicFile.WriteAllText(f, "a,b\n"));
            Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(f));
            Assert.True(AtomicFile.WriteAllText(f, "a,c\n"));
            Assert.Equal("a,c\n", File.ReadAllText(f));
            Assert.Equal(["t.csv"], Directory.GetFiles(Path.Combine(dir, "sub")).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }
}

public sealed class HashCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cropdata-hash-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void FreshlyWrittenFilesAreNotTrustedAcrossRuns()
    {
        string file = Path.Combine(_dir, "f.txt"), cacheFile = Path.Combine(_dir, "hashes.bin");
        File.WriteAllText(file, "aaaa");
        var cache = HashCache.Load(cacheFile);
        Assert.Equal(HashCache.HashFile(file), cache.TryGetHash(file));
        cache.SaveIfDirty();
        // mtime is within the trust margin of hashing: a same-size rewrite in the same clock tick would keep
        // the mtime, so the entry must not outlive this run.
        Assert.Equal(0, HashCache.Load(cacheFile).Count);

        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        cache = HashCache.Load(cacheFile);
        string hash = cache.TryGetHash(file)!;
        Assert.Equal(1, cache.FilesHashed);
        cache.SaveIfDirty();
        var warm = HashCache.Load(cacheFile);
        Assert.Equal(1, warm.Count);
        Assert.Equal(hash, warm.TryGetHash(file));
        Assert.Equal(0, warm.FilesHashed); // served from the cache, file not read

        File.WriteAllText(file, "bbbb"); // new mtime → re-read
        Assert.Equal(HashCache.HashFile(file), warm.TryGetHash(file));
        Assert.NotEqual(hash, warm.TryGetHash(file));
        Assert.Null(warm.TryGetHash(Path.Combine(_dir, "absent")));
    }

    [Fact]
    public void FileStatAgreesWithFileInfoAndSkipsDirectories()
    {
        string file = Path.Combine(_dir, "s.bin");
        File.WriteAllBytes(file, new byte[1234]);
        File.SetLastWriteTimeUtc(file, new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567));
        var info = new FileInfo(file);
        Assert.Equal(new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks), FileStat.Of(file));
        Assert.Null(FileStat.Of(_dir));
        Assert.Null(FileStat.Of(Path.Combine(_dir, "missing")));
        Assert.Null(FileStat.Of(Path.Combine(file, "under-a-file")));
    }
}
