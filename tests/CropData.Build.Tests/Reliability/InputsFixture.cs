namespace CropData.Build.Tests.Reliability;

/// <summary>
/// The reliability tests that build in data folders of their own and need only the generated sample inputs: bad
/// inputs here, hostile peers and path safety in collections of their own (each collection gets its own fixture, so
/// the three run beside each other).
/// </summary>
[CollectionDefinition(Name)]
public sealed class InputsCollection : ICollectionFixture<InputsFixture>
{
    public const string Name = "Reliability (bad inputs)";
}

[CollectionDefinition(Name)]
public sealed class HostilePeerCollection : ICollectionFixture<InputsFixture>
{
    public const string Name = "Reliability (hostile peers)";
}

[CollectionDefinition(Name)]
public sealed class PathSafetyCollection : ICollectionFixture<InputsFixture>
{
    public const string Name = "Reliability (path safety)";
}

/// <summary>What a <see cref="Workspace"/> is made from: the repository, a sandbox folder and the sample inputs.</summary>
public interface IWorkspaceSource
{
    string Root { get; }
    string Sandbox { get; }
    /// <summary>Read-only copy of the generated sample inputs (ipfs/sample.car, stac/cmr, stac/easier).</summary>
    string Inputs { get; }
}

/// <summary>A sandbox holding a copy of the generated sample inputs of the run's shared clean build.</summary>
public sealed class InputsFixture : IAsyncLifetime, IWorkspaceSource
{
    public string Root { get; } = SampleBuild.RepoRoot();
    public string Sandbox { get; } = Path.Combine(Path.GetTempPath(), "cropdata-relin-" + Guid.NewGuid().ToString("N")[..10]);
    public string Inputs => Path.Combine(Sandbox, "inputs");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Sandbox);
        ReliabilityFixture.CopyTree(Path.Combine(await SampleBuild.TemplateDataDir(), "sample_inputs"), Inputs);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Sandbox, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
