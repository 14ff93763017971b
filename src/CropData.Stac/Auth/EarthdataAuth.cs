using System.Text;

namespace CropData.Stac.Auth;

/// <summary>
/// Credentials for Earthdata-protected hosts. The secret never leaves this object except as the Authorization
/// header value: <see cref="ToString"/> is redacted and <see cref="Redact"/> scrubs it from any text.
/// </summary>
public sealed class EarthdataCredentials
{
    private readonly string _headerScheme;
    private readonly string _headerParameter;
    private readonly string[] _secrets;

    private EarthdataCredentials(string kind, string scheme, string parameter, string source, params string[] secrets)
    {
        Kind = kind;
        Source = source;
        _headerScheme = scheme;
        _headerParameter = parameter;
        _secrets = secrets.Where(s => s.Length > 0).Append(parameter).Distinct().OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>"bearer" or "basic".</summary>
    public string Kind { get; }

    /// <summary>Where the credentials came from, e.g. "environment variable EARTHDATA_TOKEN" (never the value).</summary>
    public string Source { get; }

    public static EarthdataCredentials Bearer(string token, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return new EarthdataCredentials("bearer", "Bearer", token.Trim(), source, token.Trim());
    }

    public static EarthdataCredentials Basic(string login, string password, string source)
    {
        var parameter = Convert.ToBase64String(Encoding.UTF8.GetBytes(login + ":" + password));
        return new EarthdataCredentials("basic", "Basic", parameter, source, password);
    }

    internal System.Net.Http.Headers.AuthenticationHeaderValue HeaderValue() => new(_headerScheme, _headerParameter);

    /// <summary>The text with every secret (token, password, encoded header) replaced by "***".</summary>
    public string Redact(string text)
    {
        foreach (var s in _secrets)
            if (s.Length >= 4) text = text.Replace(s, "***", StringComparison.Ordinal);
        return text;
    }

    public override string ToString() => $"Earthdata {Kind} credentials from {Source} (secret redacted)";
}

/// <summary>Where to look for Earthdata credentials (spec stage 3: bearer token or netrc).</summary>
public sealed record EarthdataAuthOptions
{
    public const string DefaultTokenVariable = "EARTHDATA_TOKEN";
    public const string UrsHost = "urs.earthdata.nasa.gov";

    /// <summary>Environment variable holding a bearer token; null to not use one.</summary>
    public string? TokenVariable { get; init; } = DefaultTokenVariable;

    /// <summary>The netrc file; null means $NETRC, else ~/.netrc.</summary>
    public string? NetrcPath { get; init; }

    /// <summary>Reads environment variables (replaceable in tests).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;
}

public static class EarthdataAuth
{
    /// <summary>
    /// Credentials for requests to <paramref name="apiHost"/>: the bearer token of the configured environment
    /// variable if set, else the netrc entry for the API host, else the netrc entry for urs.earthdata.nasa.gov;
    /// null when there is none (public CMR metadata needs no auth).
    /// </summary>
    public static EarthdataCredentials? Resolve(EarthdataAuthOptions options, string apiHost)
    {
        if (options.TokenVariable is { Length: > 0 } variable &&
            options.GetEnvironmentVariable(variable) is { } token && !string.IsNullOrWhiteSpace(token))
            return EarthdataCredentials.Bearer(token, $"environment variable {variable}");

        var path = options.NetrcPath ?? options.GetEnvironmentVariable("NETRC")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".netrc");
        if (!File.Exists(path)) return null;
        var netrc = Netrc.Parse(File.ReadAllText(path));
        foreach (var host in new[] { apiHost, EarthdataAuthOptions.UrsHost })
            if (netrc.TryGetValue(host, out var entry) && entry.Login is not null && entry.Password is not null)
                return EarthdataCredentials.Basic(entry.Login, entry.Password, $"netrc file {path}, machine {host}");
        return null;
    }
}

/// <summary>A minimal .netrc reader: machine/default entries with login and password; macdef bodies skipped.</summary>
public static class Netrc
{
    public sealed record Entry(string? Login, string? Password);

    /// <summary>Entries by machine name; the "default" entry, if any, under the key "default".</summary>
    public static IReadOnlyDictionary<string, Entry> Parse(string text)
    {
        var result = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var tokens = new List<string>();
        for (var li = 0; li < lines.Length; li++)
        {
            var line = lines[li];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#')) continue;
            var words = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0 && words[0] == "macdef")
            {
                while (li + 1 < lines.Length && lines[li + 1].Trim().Length > 0) li++;
                continue;
            }
            tokens.AddRange(words);
        }
        string? machine = null, login = null, password = null;
        void Flush()
        {
            if (machine is not null && !result.ContainsKey(machine)) result[machine] = new Entry(login, password);
            machine = login = password = null;
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            switch (tokens[i])
            {
                case "machine" when i + 1 < tokens.Count: Flush(); machine = tokens[++i]; break;
                case "default": Flush(); machine = "default"; break;
                case "login" when i + 1 < tokens.Count: login = tokens[++i]; break;
                case "password" when i + 1 < tokens.Count: password = tokens[++i]; break;
                case "account" when i + 1 < tokens.Count: i++; break;
            }
        }
        Flush();
        return result;
    }
}
