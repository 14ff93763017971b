namespace CropData.Graph.Engine;

/// <summary>
/// How stamps write paths: relative to the dataset folder when inside it; <c>${name}/…</c> when inside a named folder
/// the context declares (<see cref="BuildContext.PathRoots"/>: the data folder); absolute otherwise. So a dataset folder,
/// or a whole data folder, copied or moved elsewhere stays up to date.
/// </summary>
internal static class StampPaths
{
    public static (string Token, string Prefix)[] Roots(IReadOnlyDictionary<string, string>? roots) =>
        (roots ?? new Dictionary<string, string>())
        .Select(kv => (Token: "${" + kv.Key + "}", Prefix: Path.TrimEndingDirectorySeparator(Path.GetFullPath(kv.Value)) + Path.DirectorySeparatorChar))
        .OrderByDescending(r => r.Prefix.Length).ToArray();

    public static string ToToken(string fullPath, (string Token, string Prefix)[] roots)
    {
        foreach (var (token, prefix) in roots)
            if (fullPath.StartsWith(prefix, StringComparison.Ordinal)) return token + "/" + fullPath[prefix.Length..];
        return fullPath;
    }

    public static string ToFull(string path, string datasetRoot, (string Token, string Prefix)[] roots)
    {
        if (path.StartsWith("${", StringComparison.Ordinal))
            foreach (var (token, prefix) in roots)
                if (path.StartsWith(token + "/", StringComparison.Ordinal)) return Path.GetFullPath(Path.Combine(prefix, path[(token.Length + 1)..]));
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(datasetRoot, path));
    }
}
