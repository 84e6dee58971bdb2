using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LaMo.Training;
using Spectre.Console;

namespace LaMo.Cli.Commands;

/// <summary>Shared CLI plumbing: progress bars and typed <c>--config</c>/<c>--set</c> options.</summary>
public static class CliSupport
{
    /// <summary>Runs a training loop with a progress bar showing loss, it/s and ETA (plain log lines when not a terminal).</summary>
    /// <param name="plainLines">Log lines even on a terminal (e.g. under mpirun, which hands each rank a pseudo-terminal
    /// and interleaves the ranks' output).</param>
    public static TrainingResult RunWithProgress(string title, int totalSteps, TextWriter output, Func<IProgress<TrainingProgress>, TrainingResult> run,
        bool plainLines = false)
    {
        if (plainLines || Console.IsOutputRedirected || output != Console.Out) return run(new PlainTrainingLog(title, totalSteps, output));
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: totalSteps);
                result = run(new Reporter(p =>
                {
                    if (p.Notice is not null) { AnsiConsole.MarkupLine(Markup.Escape($"{title}: {p.Notice}")); return; }
                    task.Value = p.Step;
                    double loss = p.Metrics.TryGetValue("loss", out var l) ? l : double.NaN;
                    task.Description = $"{title} loss {loss:G4} {1 / Math.Max(p.SecondsPerStep, 1e-9):F1} it/s";
                }));
            });
        return result!;
    }

    /// <summary>The end of a training command's summary line, the same for <c>train</c>, <c>prior train</c> and
    /// <c>vae train</c>: steps done, whether interrupted, and how many updates were skipped (each skip's reason was
    /// logged at its step).</summary>
    public static string StepsDone(TrainingResult r) =>
        $"{r.FinalStep} steps{(r.Interrupted ? " (interrupted; --resume continues)" : "")}, {r.SkippedSteps} skipped"
        + (r.SkippedSteps > 0 ? " (non-finite loss or gradient; the reason of each is logged at its step)" : "");

    /// <summary>Runs a job over items with a progress bar (items, %, remaining time) on an interactive console; otherwise
    /// with a plain line every ~10 % or 30 s, with the time remaining.</summary>
    public static void RunWithCounter(string title, TextWriter output, Action<IProgress<(int Done, int Total)>?> run)
    {
        if (Console.IsOutputRedirected || output != Console.Out) { run(new PlainCounter(title, output)); return; }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                run(new Counter(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = $"{title} {p.Done}/{p.Total}";
                }));
            });
    }

    // Log lines for redirected output: at every ~10 % and at least every 30 s, with an ETA from the rate so far.
    private sealed class PlainCounter(string title, TextWriter output) : IProgress<(int Done, int Total)>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private double _lastSeconds;
        private int _lastDecile = -1;

        public void Report((int Done, int Total) p)
        {
            if (p.Total <= 0 || p.Done <= 0) return;
            int decile = 10 * p.Done / p.Total;
            double seconds = _clock.Elapsed.TotalSeconds;
            if (decile == _lastDecile && seconds - _lastSeconds < 30 && p.Done < p.Total) return;
            _lastDecile = decile; _lastSeconds = seconds;
            double eta = seconds / p.Done * (p.Total - p.Done);
            output.WriteLine($"{title} {p.Done}/{p.Total} ({100.0 * p.Done / p.Total:F0} %) {seconds:F0} s elapsed, ~{eta:F0} s left");
        }
    }

    // Training log lines for redirected output: every 5 % of the steps and at least every 30 s, with the time left at the
    // rate of this process's steps so far (a resumed run counts from where it resumed).
    private sealed class PlainTrainingLog(string title, int totalSteps, TextWriter output) : IProgress<TrainingProgress>
    {
        private readonly int _every = Math.Max(1, totalSteps / 20);
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _firstStep = -1;
        private double _lastSeconds;

        public void Report(TrainingProgress p)
        {
            if (p.Notice is not null) { output.WriteLine($"{title}: {p.Notice}"); return; }
            if (_firstStep < 0) _firstStep = p.Step - 1;   // the step before the first one this process ran
            double seconds = _clock.Elapsed.TotalSeconds;
            if (p.Step % _every != 0 && p.Step != p.TotalSteps && seconds - _lastSeconds < 30) return;
            _lastSeconds = seconds;
            int done = p.Step - _firstStep;
            string left = p.Step >= p.TotalSteps ? "done" : done > 0 ? $"~{seconds / done * (p.TotalSteps - p.Step):F0} s left" : "";
            var metrics = p.Metrics.Where(kv => !kv.Key.StartsWith("grad", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value:G4}");
            output.WriteLine($"{title} step={p.Step:D6}/{p.TotalSteps} {string.Join(' ', metrics)} s/step={p.SecondsPerStep:F3} {left}".TrimEnd());
        }
    }

    private sealed class Counter(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Builds an options record from a JSON config file (optional), explicit values, and <c>--set key=value</c>
    /// overrides; unknown keys and wrong types are errors naming the key.</summary>
    public static T BuildOptions<T>(string? configPath, IReadOnlyDictionary<string, JsonNode?> explicitValues, IEnumerable<string> sets)
    {
        JsonObject obj;
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new ArgumentException($"--config {configPath}: no such file");
            try { obj = JsonNode.Parse(File.ReadAllText(configPath))?.AsObject() ?? new JsonObject(); }
            catch (JsonException e) { throw new InvalidDataException($"{configPath}: not valid JSON ({e.Message.Split('.')[0]})"); }
        }
        else obj = new JsonObject();
        foreach (var (k, v) in explicitValues) if (v is not null) obj[k] = v.DeepClone();
        foreach (var s in sets)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set '{s}' must be key=value");
            string key = s[..eq], raw = s[(eq + 1)..];
            JsonNode? value;
            try { value = JsonNode.Parse(raw); }
            catch (JsonException) { value = JsonValue.Create(raw); }          // bare words are strings
            obj[key] = value;
        }
        OptionKeys.Check<T>(obj);   // unknown keys (with a did-you-mean) and missing required ones, in our words
        var options = new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        try { return obj.Deserialize<T>(options) ?? throw new ArgumentException("empty options"); }
        catch (JsonException e) { throw new ArgumentException($"bad option: {e.Message.Split(". Path")[0]} (path {e.Path})"); }
    }
}
