using System.CommandLine;
using System.Text.Json;
using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;
using LaMo.World;
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
        return cmd;
    }

    private static Command Physics()
    {
        var videos = new Option<string>("--videos") { Description = "Folder of generated videos (<clip>.mp4/.avi/... or <clip>/ frame folders)", Required = true };
        var truth = new Option<string>("--truth") { Description = "Folder of world ground-truth JSON files (<clip>.json)", Required = true };
        var given = new Option<int>("--given-frames") { Description = "Frames given to the model (continuation mode); 0 = text-to-video mode", DefaultValueFactory = _ => new PhysicsOptions().GivenFrames };
        var name = new Option<string>("--name") { Description = "Row name of the generated videos", DefaultValueFactory = _ => "generated" };
        var noRefs = new Option<bool>("--no-references") { Description = "Skip the GT floor, copy-last and constant-velocity rows" };
        var output = new Option<string>("--out") { Description = "Where to write the JSON results", DefaultValueFactory = _ => "eval.json" };
        var cmd = new Command("physics", "Physics benchmark (M1-M9, failures, reference rows, paired bootstrap) of generated videos against world ground truth")
            { videos, truth, given, name, noRefs, output };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            string vdir = parse.GetValue(videos)!, tdir = parse.GetValue(truth)!;
            if (!Directory.Exists(vdir)) throw new ArgumentException($"--videos '{vdir}' is not a folder");
            if (!Directory.Exists(tdir)) throw new ArgumentException($"--truth '{tdir}' is not a folder");
            var options = new PhysicsOptions { GivenFrames = parse.GetValue(given) }.Validate();
            var (clips, paths, missing) = Pair(vdir, tdir);
            if (missing.Count > 0)
                o.WriteLine($"warning: {missing.Count} ground-truth clip(s) have no video and are not evaluated: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}");
            var method = parse.GetValue(name)!;
            PhysicsBenchmarkResult result;
            try
            {
                result = PhysicsBenchmark.Run(clips, new Dictionary<string, Func<BenchmarkClip, FrameStack>>
                    { [method] = c => FrameStackDecoder.Read(paths[c.Id]) }, options, references: !parse.GetValue(noRefs));
            }
            catch (ArgumentException e) when (e.ParamName == "video")
            {
                throw new InvalidDataException(e.Message, e);
            }
            var outPath = parse.GetValue(output)!;
            result.Save(outPath);
            PrintPhysics(o, result, method);
            o.WriteLine($"wrote {outPath} ({clips.Count} clips, {result.Rows.Count} rows)");
            return 0;
        });
        return cmd;
    }

    /// <summary>Pairs GT JSON files with generated videos by file stem.</summary>
    /// <exception cref="InvalidDataException">No GT file, or no clip with a video.</exception>
    public static (List<BenchmarkClip> Clips, Dictionary<string, string> Videos, List<string> Missing) Pair(string videoDir, string truthDir)
    {
        var truthFiles = Directory.GetFiles(truthDir, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (truthFiles.Length == 0) throw new InvalidDataException($"{truthDir}: no ground-truth .json files");
        var clips = new List<BenchmarkClip>();
        var videos = new Dictionary<string, string>();
        var missing = new List<string>();
        foreach (var f in truthFiles)
        {
            var id = Path.GetFileNameWithoutExtension(f);
            var video = FrameStackDecoder.VideoExtensions.Select(e => Path.Combine(videoDir, id + e)).FirstOrDefault(File.Exists)
                ?? (Directory.Exists(Path.Combine(videoDir, id)) ? Path.Combine(videoDir, id) : null);
            if (video is null) { missing.Add(id); continue; }
            clips.Add(new BenchmarkClip(id, WorldClip.Load(f)));
            videos[id] = video;
        }
        if (clips.Count == 0) throw new InvalidDataException($"{videoDir}: no video matches any of the {truthFiles.Length} ground-truth clips by file stem");
        return (clips, videos, missing);
    }

    private static void PrintPhysics(TextWriter o, PhysicsBenchmarkResult result, string method)
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

    private static Command Motion()
    {
        var videos = new Argument<string[]>("videos") { Description = "Video files or frame folders", Arity = ArgumentArity.OneOrMore };
        var fps = new Option<double>("--fps") { Description = "Frame rate (scales the dynamic-degree threshold as VBench does)", DefaultValueFactory = _ => new MotionOptions().Fps };
        var output = new Option<string>("--out") { Description = "Where to write the JSON results", DefaultValueFactory = _ => "motion.json" };
        var cmd = new Command("motion", "VBench-style motion metrics (Farneback approximations): smoothness, dynamic degree, flickering, subject-consistency proxy")
            { videos, fps, output };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var eval = new MotionEvaluator(new MotionOptions { Fps = parse.GetValue(fps) });
            foreach (var v in parse.GetValue(videos)!) eval.Update(v, FrameStackDecoder.Read(v));
            var report = eval.Compute();
            var outPath = parse.GetValue(output)!;
            File.WriteAllText(outPath, JsonSerializer.Serialize(report, PhysicsBenchmarkResult.JsonOptions) + "\n");
            var table = new Table().Title("motion metrics").AddColumn("video").AddColumn("frames").AddColumn("smoothness")
                .AddColumn("flow top5% px").AddColumn("dynamic").AddColumn("flickering").AddColumn("subject consistency");
            foreach (var r in report.Videos)
                table.AddRow(Markup.Escape(r.Video), r.Frames.ToString(), F(r.MotionSmoothness), F(r.FlowScore),
                    r.Dynamic is { } d ? $"{(d ? "yes" : "no")} ({r.MovingPairs}/{r.RequiredPairs} > {r.Threshold:0.00})" : "-",
                    F(r.TemporalFlickering), F(r.SubjectConsistency));
            table.AddRow("mean", "", F(report.MeanSmoothness), "", $"{F(report.DynamicDegree)} dynamic", F(report.MeanFlickering), F(report.MeanSubjectConsistency));
            Console(o).Write(table);
            o.WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
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
