using Spectre.Console;

namespace CropData.Graph.Hosting;

/// <summary>Where the host writes: Spectre.Console (colours, tables, progress bars) on a terminal, plain lines otherwise.</summary>
internal abstract class HostConsole
{
    public abstract bool IsInteractive { get; }
    public abstract void WriteLine(string text);

    /// <summary>Errors and warnings (stderr in the host).</summary>
    public abstract void WriteError(string text);

    /// <summary>Paths under this folder are shown relative to it (set once the context knows the repository root).</summary>
    public string? PathBase { get; set; }
    public abstract IBuildLog CreateLog(BuildVerbosity verbosity);

    /// <param name="rightAligned">Per column.</param>
    public abstract void WriteTable(string[] headers, bool[] rightAligned, IReadOnlyList<string[]> rows, string[]? footer);

    /// <summary>Runs <paramref name="body"/>, which calls the tick once per finished unit.</summary>
    public abstract Task RunWithProgressAsync(string name, int total, IBuildLog log, Func<Action, Task> body);

    /// <param name="output">Results and progress; null = stdout.</param>
    /// <param name="error">Errors and warnings; null = <paramref name="output"/> when given, else stderr.</param>
    public static HostConsole Create(TextWriter? output, TextWriter? error, bool? interactive)
    {
        bool tty = interactive ?? (output is null && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            && Environment.GetEnvironmentVariable("TERM") != "dumb");
        error ??= output ?? Console.Error;
        if (tty)
        {
            var console = output is null
                ? AnsiConsole.Console
                : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.Yes });
            var errorConsole = ReferenceEquals(error, output) ? console
                : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
            return new AnsiHostConsole(console, errorConsole);
        }
        return new PlainHostConsole(output ?? Console.Out, error);
    }
}

internal sealed class PlainHostConsole(TextWriter writer, TextWriter error) : HostConsole
{
    private readonly Lock _gate = new();

    public override bool IsInteractive => false;

    public override void WriteLine(string text)
    {
        lock (_gate)
        {
            writer.WriteLine(LogPaths.Shorten(text, PathBase));
            writer.Flush();
        }
    }

    public override void WriteError(string text)
    {
        lock (_gate)
        {
            error.WriteLine(LogPaths.Shorten(text, PathBase));
            error.Flush();
        }
    }

    public override IBuildLog CreateLog(BuildVerbosity verbosity) => new TextBuildLog(writer, verbosity, error);

    public override void WriteTable(string[] headers, bool[] rightAligned, IReadOnlyList<string[]> rows, string[]? footer)
    {
        var all = new List<string[]> { headers };
        all.AddRange(rows);
        if (footer is not null) all.Add(footer);
        int[] widths = new int[headers.Length];
        foreach (var row in all)
            for (int c = 0; c < row.Length; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        string Format(string[] row) => string.Join("  ", row.Select((cell, c) =>
            rightAligned[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd();
        var lines = new List<string> { Format(headers), string.Join("  ", widths.Select(w => new string('-', w))) };
        lines.AddRange(rows.Select(Format));
        if (footer is not null)
        {
            lines.Add(string.Join("  ", widths.Select(w => new string('-', w))));
            lines.Add(Format(footer));
        }
        lock (_gate)
        {
            foreach (var line in lines) writer.WriteLine(line);
            writer.Flush();
        }
    }

    public override async Task RunWithProgressAsync(string name, int total, IBuildLog log, Func<Action, Task> body)
    {
        // CI logs: one line per 10 % on long tasks, nothing on short ones.
        int done = 0, lastDecile = 0;
        bool report = total >= 20;
        await body(() =>
        {
            int d = Interlocked.Increment(ref done);
            if (!report) return;
            int decile = (int)(d * 10L / total);
            int seen = Volatile.Read(ref lastDecile);
            while (decile > seen && decile < 10)
            {
                if (Interlocked.CompareExchange(ref lastDecile, decile, seen) == seen)
                {
                    log.Information($"{name}: {d}/{total} units ({decile * 10}%)");
                    break;
                }
                seen = Volatile.Read(ref lastDecile);
            }
        }).ConfigureAwait(false);
    }
}

internal sealed class AnsiHostConsole(IAnsiConsole console, IAnsiConsole error) : HostConsole
{
    private readonly Lock _gate = new();

    public override bool IsInteractive => true;

    public override void WriteLine(string text)
    {
        lock (_gate) console.WriteLine(LogPaths.Shorten(text, PathBase));
    }

    public override void WriteError(string text)
    {
        lock (_gate) error.WriteLine(LogPaths.Shorten(text, PathBase));
    }

    public override IBuildLog CreateLog(BuildVerbosity verbosity) => new AnsiBuildLog(console, error, verbosity, _gate);

    public override void WriteTable(string[] headers, bool[] rightAligned, IReadOnlyList<string[]> rows, string[]? footer)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int c = 0; c < headers.Length; c++)
        {
            var column = new TableColumn(Markup.Escape(headers[c]));
            if (rightAligned[c]) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in rows)
            table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Markup(Colour(cell))).ToArray());
        if (footer is not null)
        {
            for (int c = 0; c < footer.Length; c++) table.Columns[c].Footer(new Markup("[bold]" + Markup.Escape(footer[c]) + "[/]"));
        }
        lock (_gate) console.Write(table);
    }

    private static string Colour(string cell) => cell switch
    {
        "failed" => "[red]failed[/]",
        "built" or "ran" => "[green]" + cell + "[/]",
        "up to date" => "[grey]up to date[/]",
        "skipped" => "[yellow]skipped[/]",
        _ => Markup.Escape(cell),
    };

    public override async Task RunWithProgressAsync(string name, int total, IBuildLog log, Func<Action, Task> body)
    {
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var bar = ctx.AddTask(Markup.Escape(name), autoStart: true, maxValue: total);
                await body(() => bar.Increment(1)).ConfigureAwait(false);
                bar.StopTask();
            }).ConfigureAwait(false);
    }
}

internal sealed class AnsiBuildLog(IAnsiConsole console, IAnsiConsole error, BuildVerbosity verbosity, Lock gate) : IBuildLog
{
    public BuildVerbosity Verbosity { get; } = verbosity;
    public string? PathBase { get; set; }

    public void Error(string message) => Write(BuildVerbosity.Quiet, "[red]error:[/] ", message, null, error);
    public void Warning(string message) => Write(BuildVerbosity.Minimal, "[yellow]warning:[/] ", message, null, error);
    public void Information(string message) => Write(BuildVerbosity.Normal, "", message, null, console);
    public void Verbose(string message) => Write(BuildVerbosity.Verbose, "", message, "grey", console);
    public void Debug(string message) => Write(BuildVerbosity.Diagnostic, "[grey]debug:[/] ", message, "grey", console);

    private void Write(BuildVerbosity level, string prefix, string message, string? colour, IAnsiConsole to)
    {
        if (Verbosity < level) return;
        string body = Markup.Escape(LogPaths.Shorten(message, PathBase));
        if (colour is not null) body = $"[{colour}]{body}[/]";
        lock (gate) to.MarkupLine(prefix + body);
    }
}
