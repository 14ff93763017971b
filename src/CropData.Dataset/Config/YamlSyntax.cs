namespace CropData.Dataset.Config;

/// <summary>
/// The YAML mistakes people make by hand that the YAML library reports badly (a tab in the indentation, a '[' or '{'
/// never closed), found by a small scan of the text, and one message format for every syntax error: file, line,
/// column, what is wrong, and the offending line itself.
/// </summary>
public static class YamlSyntax
{
    public static (int Line, int Column)? FindTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            for (int c = 0; c < lines[i].Length && lines[i][c] is ' ' or '\t'; c++)
                if (lines[i][c] == '\t' && lines[i].Trim().Length > 0 && !lines[i].TrimStart().StartsWith('#')) return (i + 1, c + 1);
        }
        return null;
    }

    /// <summary>The first '[' or '{' of a flow collection still open where the document ends, outside quotes and comments.</summary>
    public static (int Line, int Column, char Bracket)? FindUnclosedBracket(string text)
    {
        var open = new Stack<(int, int, char)>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            char quote = '\0';
            for (int c = 0; c < line.Length; c++)
            {
                char ch = line[c];
                if (quote != '\0') { if (ch == quote) quote = '\0'; continue; }
                if (ch is '\'' or '"' && (c == 0 || line[c - 1] is ' ' or '[' or '{' or ',' or ':')) { quote = ch; continue; }
                if (ch == '#' && (c == 0 || line[c - 1] == ' ')) break;
                if (ch is '[' or '{') open.Push((i + 1, c + 1, ch));
                else if (ch is ']' or '}' && open.Count > 0) open.Pop();
            }
        }
        return open.Count == 0 ? null : open.Reverse().First();
    }

    public static string Describe(string source, string text, int line, int column, string what)
    {
        var lines = text.Split('\n');
        string shown = line >= 1 && line <= lines.Length ? lines[line - 1].TrimEnd('\r').Replace("\t", "\\t", StringComparison.Ordinal) : "";
        return $"{source}:{line}:{column}: {what}" + (shown.Length > 0 ? $"\n  {line} | {shown}" : "");
    }
}
