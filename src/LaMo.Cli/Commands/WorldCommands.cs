using System.CommandLine;
using System.Diagnostics;
using LaMo.Data;
using LaMo.Video;
using LaMo.World;
using Spectre.Console;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo world generate|show|drift-signal</c>: the synthetic physics world (captioned videos with exact ground truth).</summary>
public static class WorldCommands
{
    /// <summary>Creates the <c>world</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var world = new Command("world", "Synthetic 2-D physics world: generate captioned videos with ground truth, show clips");
        world.Subcommands.Add(Generate());
        world.Subcommands.Add(Show());
        world.Subcommands.Add(DriftSignalCommand.Create());
        return world;
    }

    private static Command Generate()
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Comma list of scenarios (uniform, collision, parabola, wall_bounce, wall_collision, drop_bounce, friction_slide, pendulum, s1..s5), 'core' or 'all'", DefaultValueFactory = _ => "all" };
        var count = new Option<int>("--count") { Description = "Clips per scenario", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "Frame width and height in pixels (64 primary, 32 quick)", DefaultValueFactory = _ => 64 };
        var frames = new Option<int>("--frames") { Description = "Frames per clip, 1 + 4k (e.g. 17 or 33); 0.1 s apart", DefaultValueFactory = _ => 17 };
        var split = new Option<string>("--split") { Description = "train, test-id, test-ood-v, test-ood-r, test-ood-rv, or a ranges JSON file", DefaultValueFactory = _ => "train" };
        var seed = new Option<ulong>("--seed") { Description = "Base seed; same seed, byte-identical output", DefaultValueFactory = _ => 0UL };
        var outDir = new Option<string>("--out") { Description = "Output folder (metadata.csv, videos/)", Required = true };
        var codec = new Option<string>("--codec") { Description = "auto (H.264 via ffmpeg, else mp4v), h264, mp4v, or none (GT JSON only)", DefaultValueFactory = _ => "auto" };
        var raw = new Option<bool>("--raw") { Description = "Also write lossless .rgb frame dumps" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var preset = new Option<string>("--preset") { Description = "World conditions: v1 (uniform background, static camera, constant light) or mixed (a per-clip mix); the options below pin one dimension", DefaultValueFactory = _ => "v1" };
        var background = new Option<string?>("--background") { Description = "uniform, gradient, texture, pattern, parallax or images (needs --background-dir)" };
        var backgroundDir = new Option<string?>("--background-dir") { Description = "Folder of .png/.jpg/.bmp backdrops for the images background" };
        var camera = new Option<string?>("--camera") { Description = "static, pan, accel-pan, zoom, track (follows ball A) or shake" };
        var lighting = new Option<string?>("--lighting") { Description = "constant, dimming, brightening, cloud or warm" };
        var entering = new Option<bool>("--entering") { Description = "Ball A enters or leaves the frame (each clip draws which)" };
        var overwrite = WorkflowCommands.Overwrite("world dataset");
        var cmd = new Command("generate", "Generate captioned world videos with per-clip ground-truth JSON and metadata.csv")
            { scenarios, count, size, frames, split, seed, outDir, codec, raw, threads, preset, background, backgroundDir, camera, lighting, entering, overwrite };
        cmd.SetAction(parse =>
        {
            var s = parse.GetValue(split)!;
            var ranges = File.Exists(s) ? SplitRanges.Load(s) : SplitRanges.Standard(s);
            var options = new WorldDatasetOptions(parse.GetValue(outDir)!, ScenarioNames.ParseList(parse.GetValue(scenarios)!),
                parse.GetValue(count), ranges, parse.GetValue(seed), parse.GetValue(size), parse.GetValue(frames),
                ParseCodec(parse.GetValue(codec)!), parse.GetValue(raw), parse.GetValue(threads),
                new WorldConditionOptions(parse.GetValue(preset)!, parse.GetValue(background), parse.GetValue(camera),
                    parse.GetValue(lighting), parse.GetValue(entering) ? true : null, parse.GetValue(backgroundDir)).Validate()).Validate();
            // An earlier dataset is replaced only when asked: its clips would otherwise be orphaned beside the new ones.
            LaMo.Core.OutputFolder.Claim(options.OutDir, "metadata.csv", "world generate", parse.GetValue(overwrite));
            var total = options.Scenarios.Count * options.CountPerScenario;
            var output = parse.InvocationConfiguration.Output;
            var watch = Stopwatch.StartNew();
            if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask($"world {ranges.Name}", maxValue: total);
                        WorldDatasetWriter.Write(options, () => task.Increment(1));
                    });
            else WorldDatasetWriter.Write(options);
            var secs = watch.Elapsed.TotalSeconds;
            var codecText = options.Codec is null ? "no video" : options.Codec == VideoCodec.Auto ? (Ffmpeg.Available ? "h264" : "mp4v") : options.Codec.ToString()!.ToLowerInvariant();
            var conditionText = options.HasConditions ? $", conditions {options.Conditions!.Preset}" : "";
            output.WriteLine($"wrote {total} clips ({codecText}, {options.Size}x{options.Size}x{options.Frames}, split {ranges.Name}{conditionText}) to {Path.GetFullPath(options.OutDir)} in {secs:0.0} s ({total / secs:0.0} clips/s)");
            return 0;
        });
        return cmd;
    }

    private static Command Show()
    {
        var path = new Argument<string>("clip") { Description = "A clip's .mp4/.gif/.rgb/.json (ground truth is read from the .json beside it)" };
        var outPng = new Option<string?>("--out") { Description = "PNG path (default: CLIP.sheet.png)" };
        var columns = new Option<int>("--columns") { Description = "Frames per row", DefaultValueFactory = _ => 6 };
        var scale = new Option<int>("--scale") { Description = "Upscaling of each frame", DefaultValueFactory = _ => 4 };
        var cmd = new Command("show", "Render a contact-sheet PNG of a clip with its ground-truth trajectories overlaid")
            { path, outPng, columns, scale };
        cmd.SetAction(parse =>
        {
            var p = parse.GetValue(path)!;
            if (!File.Exists(p)) throw new FileNotFoundException($"{p}: no such file");
            var json = Path.ChangeExtension(p, ".json");
            var clip = File.Exists(json) ? WorldClip.Load(json) : null;
            var ext = Path.GetExtension(p).ToLowerInvariant();
            VideoFrames video = ext switch
            {
                ".json" => new VideoFrames(Renderer.Render(clip!), clip!.Frames.Count, clip.Render.Height, clip.Render.Width, clip.Render.Fps),
                ".rgb" => RawVideoFile.Read(p),
                _ => VideoDecoder.Decode(p),
            };
            var png = parse.GetValue(outPng) ?? Path.ChangeExtension(p, ".sheet.png");
            ContactSheet.Write(png, video, clip, parse.GetValue(columns), parse.GetValue(scale));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {png} ({video.Frames} frames{(clip is null ? ", no ground truth found" : "")})");
            return 0;
        });
        return cmd;
    }

    private static VideoCodec? ParseCodec(string text) => text.ToLowerInvariant() switch
    {
        "auto" => VideoCodec.Auto,
        "h264" => VideoCodec.H264,
        "mp4v" => VideoCodec.Mp4v,
        "none" => null,
        _ => throw new ArgumentException($"--codec '{text}' must be auto, h264, mp4v or none"),
    };
}
