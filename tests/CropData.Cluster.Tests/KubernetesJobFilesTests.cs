using Xunit.Abstractions;

namespace CropData.Cluster.Tests;

/// <summary>
/// Issue 20: no Kubernetes cluster runs here, so the job files (jobs/kubernetes: the PVC, the fetch-inputs Job, the
/// Indexed shard Job, the merge Job) are validated against the Kubernetes API's OpenAPI schemas by the validators the
/// maintained npm package kubernetes-models generates from them (tools/k8s-validate, versions pinned in its lock file).
/// </summary>
public class KubernetesJobFilesTests(ITestOutputHelper output)
{
    private static readonly string Repo = SlurmShardedBuildTests.RepoRoot();
    private static readonly string Tool = Path.Combine(Repo, "tools", "k8s-validate");
    private static readonly string[] JobFiles = ["00-storage.yaml", "10-fetch-inputs.yaml", "20-shards.yaml", "30-merge.yaml"];
    private static readonly SemaphoreSlim InstallOnce = new(1, 1);

    private static async Task InstallAsync()
    {
        await InstallOnce.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(Tool, "node_modules", "kubernetes-models", "package.json"))) return;
            await Commands.OkAsync("npm", ["ci", "--no-audit", "--no-fund"], Tool, timeout: TimeSpan.FromMinutes(4));
        }
        finally { InstallOnce.Release(); }
    }

    private async Task<(int Code, string Output)> ValidateAsync(params string[] files)
    {
        await InstallAsync();
        var run = await Commands.RunAsync("node", ["validate.mjs", .. files], Tool, timeout: TimeSpan.FromMinutes(1));
        output.WriteLine(run.Output);
        return run;
    }

    [Fact]
    public async Task The_job_files_are_valid_Kubernetes_objects()
    {
        var (code, text) = await ValidateAsync([.. JobFiles.Select(f => Path.Combine(Repo, "jobs", "kubernetes", f))]);
        Assert.True(code == 0, text);
        foreach (var (file, kind, name) in new[]
                 {
                     ("00-storage.yaml", "PersistentVolumeClaim", "cropdata"), ("10-fetch-inputs.yaml", "Job", "cropdata-fetch-inputs"),
                     ("20-shards.yaml", "Job", "cropdata-shards"), ("30-merge.yaml", "Job", "cropdata-merge"),
                 })
            Assert.Contains($"valid: {Path.Combine(Repo, "jobs", "kubernetes", file)} [0] {kind} {name}", text);
    }

    [Theory]
    [InlineData("completionMode: Indexed", "completionMode: Sometimes", "data/spec/completionMode must be equal to one of the allowed values")]
    [InlineData("parallelism: 8 ", "parallelism: \"eight\" ", "data/spec/parallelism must be integer")]
    [InlineData("restartPolicy: Never", "restartPolicy: OnCrash", "data/spec/template/spec/restartPolicy must be equal to one of the allowed values")]
    public async Task A_broken_shard_job_is_rejected_naming_the_field(string good, string bad, string expected)
    {
        var text = File.ReadAllText(Path.Combine(Repo, "jobs", "kubernetes", "20-shards.yaml"));
        Assert.Contains(good, text);
        var broken = Path.Combine(Path.GetTempPath(), $"cropdata-k8s-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(broken, text.Replace(good, bad, StringComparison.Ordinal));
        try
        {
            var (code, result) = await ValidateAsync(broken);
            Assert.Equal(1, code);
            Assert.Contains($"INVALID: {broken} [0] Job cropdata-shards: ", result);
            Assert.Contains(expected, result);
        }
        finally { File.Delete(broken); }
    }
}
