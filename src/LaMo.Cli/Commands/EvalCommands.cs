using System.CommandLine;
using System.Text.Json;
using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;
using LaMo.Workflows;
using Spectre.Console;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo eval physics</c> (ground-truth physics benchmark) and <c>lamo eval motion</c> (VBench-style motion metrics).</summary>
public static class EvalCommands
{
    /// <summary>Creates the <c>eval</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var cmd = new Command("eval", "Evaluate generated videos: physics benchmark against world ground truth, or motion metrics");
        cmd.Subcommands.Add(Physics());
        cmd.Subcommands.Add(Motion());
        cmd.Subcommands.Add(Gate());
        return cmd;
    }

    private static Command Physics()
    {
        var videos = new Option<string>("--videos") { Description = "Folder of generated videos (<clip>.mp4/.avi/... or <clip>/ frame folders)", Required = true };
        var truth = new Option<string>("--truth") { Description = "Folder of world ground-truth JSON files (<clip>.json)", Required = true };
        var given = new Option<int?>("--given-frames") { Description = $"Frames given to the model (continuation mode); 0 = text-to-video mode. Default: from --videos/sample.json (lamo sample writes it), else {EvalMode.AssumedGivenFrames} with a warning; a value contradicting sample.json is refused" };
        var name = new Option<string>("--name") { Description = "Row name of the generated videos", DefaultValueFactory = _ => "generated" };
        var noRefs = new Option<bool>("--no-references") { Description = "Skip the GT floor, copy-last and constant-velocity rows" };
        var output = new Option<string>("--out") { Description = "Where to write the JSON results (an existing file is refused without --overwrite)", DefaultValueFactory = _ => "eval.json" };
        var overwrite = OverwriteOption();
        var shard = Sharding.Option();
        var cmd = new Command("physics", "Physics benchmark (M1-M9, failures, reference rows, paired bootstrap) of generated videos against world ground truth")
            { videos, truth, given, name, noRefs, output, overwrite, shard };
        cmd.SetAction(parse =>
        {
            var mode = EvalMode.Resolve(parse.GetValue(videos)!, parse.GetValue(given));
            var o = new PhysicsEvalOptions(parse.GetValue(videos)!, parse.GetValue(truth)!, new PhysicsOptions { GivenFrames = mode.GivenFrames }.Validate(),
                parse.GetValue(name)!, !parse.GetValue(noRefs), parse.GetValue(output)!);
            OutputGuard.ClaimFile(o.Out, parse.GetValue(overwrite));
            if (mode.Warning is not null) parse.InvocationConfiguration.Error.WriteLine(mode.Warning);
            return Sharding.Run(parse, shard, o.Out, (part, w) =>
            {
                w.WriteLine($"eval physics: {mode.Mode}{(mode.GivenFrames > 0 ? $", {mode.GivenFrames} given frames" : "")}{(mode.Record is null ? "" : $" (from {SampleRecord.FileName})")}");
                PhysicsEvalRun run = null!;
                CliSupport.RunWithCounter("eval physics", w, prog => run = EvalWorkflow.Physics(o, part, prog));
                if (run.Missing.Count > 0)
                    w.WriteLine($"warning: {run.Missing.Count} ground-truth clip(s) have no video and are not evaluated: {string.Join(", ", run.Missing.Take(10))}{(run.Missing.Count > 10 ? ", ..." : "")}");
                if (run.Result is { } result)
                {
                    PrintPhysics(w, result, o.Name);
                    w.WriteLine($"wrote {o.Out} ({run.Clips} clips, {result.Rows.Count} rows)");
                }
            });
        });
        return cmd;
    }

    internal static void PrintPhysics(TextWriter o, PhysicsBenchmarkResult result, string method)
    {
        var console = Console(o);
        var table = new Table().Title("physics benchmark (overall means)").AddColumn("row").AddColumn("clips");
        foreach (var m in PhysicsBenchmark.HeadlineMetrics) table.AddColumn(new TableColumn(m).RightAligned());
        foreach (var r in result.Rows)
            table.AddRow([Markup.Escape(r.Method), r.Overall.Clips.ToString(), .. PhysicsBenchmark.HeadlineMetrics.Select(m => PhysicsBenchmark.Format(r.Overall.Metrics[m].Mean))]);
        console.Write(table);
        var cmp = new Table().Title(Markup.Escape($"paired bootstrap, {method} − other row (95 % CI)")).AddColumn("metric").AddColumn("vs").AddColumn("n")
            .AddColumn(new TableColumn("mean diff").RightAligned()).AddColumn(new TableColumn("CI").RightAligned());
        foreach (var c in result.Comparisons.Where(c => c.MethodA == method))
            cmp.AddRow(c.Metric, Markup.Escape(c.MethodB), c.Pairs.ToString(), PhysicsBenchmark.Format(c.MeanDifference),
                Markup.Escape($"[{PhysicsBenchmark.Format(c.CiLow)}, {PhysicsBenchmark.Format(c.CiHigh)}]"));
        if (result.Comparisons.Count > 0) console.Write(cmp);
    }

    private static Command Gate()
    {
        var evals = new Argument<string[]>("evals") { Description = "eval.json files of lamo eval physics in continuation mode (e.g. one per world condition), pooled", Arity = ArgumentArity.OneOrMore };
        var name = new Option<string>("--name") { Description = "Row of the model in each file", DefaultValueFactory = _ => "generated" };
        var bar = new QualityBar();
        var failure = new Option<double>("--max-failure") { Description = "Largest failure rate", DefaultValueFactory = _ => bar.MaxFailureRate };
        var ratio = new Option<double>("--max-m1c-ratio") { Description = "Largest M1c relative to constant-velocity extrapolation on the same clips", DefaultValueFactory = _ => bar.MaxM1cRatio };
        var drift = new Option<double>("--max-size-drift") { Description = "Largest mean M5 (size drift)", DefaultValueFactory = _ => bar.MaxSizeDrift };
        var cmd = new Command("gate", "Quality bar of a base model (docs/results/study-v2.md): failure rate, M1c against constant velocity, size drift; exit 0 if met, 1 if not")
            { evals, name, failure, ratio, drift };
        cmd.SetAction(parse =>
        {
            var files = parse.GetValue(evals)!;
            var results = files.Select(PhysicsBenchmarkResult.Load).ToArray();
            var given = results.Select(r => r.Options.GivenFrames).Distinct().ToArray();
            if (given.Length != 1 || given[0] == 0)
                throw new ArgumentException($"the gate needs continuation evaluations with one number of given frames; got given frames {string.Join(", ", given)}");
            var gate = QualityGate.Evaluate(results, parse.GetValue(name)!, new QualityBar(parse.GetValue(failure), parse.GetValue(ratio), parse.GetValue(drift)));
            var w = parse.InvocationConfiguration.Output;
            w.WriteLine($"quality gate over {files.Length} evaluation(s), {gate.Clips} clips, {given[0]} given frames:");
            w.WriteLine($"  failure rate     {gate.FailureRate:0.000} (bar ≤ {gate.Bar.MaxFailureRate:0.###})  {Verdict(gate.FailurePasses)}");
            w.WriteLine($"  M1c              {gate.M1c:0.000} units/s vs constant velocity {gate.ConstantVelocityM1c:0.000} on {gate.M1cPairs} clips: ratio {gate.M1cRatio:0.00} (bar ≤ {gate.Bar.MaxM1cRatio:0.##})  {Verdict(gate.M1cPasses)}");
            w.WriteLine($"  size drift (M5)  {gate.SizeDrift:0.000} (bar ≤ {gate.Bar.MaxSizeDrift:0.###})  {Verdict(gate.SizeDriftPasses)}");
            w.WriteLine(gate.Passes ? "quality gate: met" : "quality gate: NOT met");
            return gate.Passes ? 0 : 1;
        });
        return cmd;
    }

    private static string Verdict(bool passes) => passes ? "pass" : "FAIL";

    private static Command Motion()
    {
        var videos = new Argument<string[]>("videos") { Description = "Video files or frame folders", Arity = ArgumentArity.OneOrMore };
        var fps = new Option<double>("--fps") { Description = "Frame rate (scales the dynamic-degree threshold as VBench does)", DefaultValueFactory = _ => new MotionOptions().Fps };
        var output = new Option<string>("--out") { Description = "Where to write the JSON results (an existing file is refused without --overwrite)", DefaultValueFactory = _ => "motion.json" };
        var overwrite = OverwriteOption();
        var cmd = new Command("motion", "VBench-style motion metrics (Farneback approximations): smoothness, dynamic degree, flickering, subject-consistency proxy")
            { videos, fps, output, overwrite };
        var shard = Sharding.Option();
        cmd.Options.Add(shard);
        cmd.SetAction(parse =>
        {
            var outPath = parse.GetValue(output)!;
            OutputGuard.ClaimFile(outPath, parse.GetValue(overwrite));
            return Sharding.Run(parse, shard, outPath, (part, w) =>
            {
                MotionReport? report = null;
                CliSupport.RunWithCounter("eval motion", w, prog => report = EvalWorkflow.Motion(parse.GetValue(videos)!, new MotionOptions { Fps = parse.GetValue(fps) }, outPath, part, prog));
                if (report is null) return;
                PrintMotion(w, report);
                w.WriteLine($"wrote {outPath}");
            });
        });
        return cmd;
    }

    private static Option<bool> OverwriteOption() => new("--overwrite") { Description = "Replace an existing --out file" };

    internal static void PrintMotion(TextWriter o, MotionReport report)
    {
        var table = new Table().Title("motion metrics").AddColumn("video").AddColumn("frames").AddColumn("smoothness")
            .AddColumn("flow top5% px").AddColumn("dynamic").AddColumn("flickering").AddColumn("subject consistency");
        foreach (var r in report.Videos)
            table.AddRow(Markup.Escape(r.Video), r.Frames.ToString(), F(r.MotionSmoothness), F(r.FlowScore),
                r.Dynamic is { } d ? $"{(d ? "yes" : "no")} ({r.MovingPairs}/{r.RequiredPairs} > {r.Threshold:0.00})" : "-",
                F(r.TemporalFlickering), F(r.SubjectConsistency));
        table.AddRow("mean", "", F(report.MeanSmoothness), "", $"{F(report.DynamicDegree)} dynamic", F(report.MeanFlickering), F(report.MeanSubjectConsistency));
        Console(o).Write(table);
    }

    private static string F(double? v) => v is { } x ? PhysicsBenchmark.Format(x) : "-";

    private static IAnsiConsole Console(TextWriter o)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(o),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 220;   // 14 metric columns; redirected output would otherwise wrap at 80
        return console;
    }
}
