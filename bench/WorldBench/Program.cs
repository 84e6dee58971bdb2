// World throughput bench. `bench [N] [size] [frames] [preset]` times N clips (preset v1 or mixed: world v2 conditions) (all scenarios round-robin) in three stages:
// simulate + caption, + render, + H.264 mp4 + GT JSON to a temp folder (the full `world generate` path).
// `profile [N] [size] [frames] [image-dir]`: per-condition ms per clip on one thread (see Profile.cs).
// Any other arguments run the `world` CLI commands directly (e.g. `world generate --count 4 --out /tmp/w`).
using System.CommandLine;
using System.Diagnostics;
using LaMo.Cli.Commands;
using LaMo.World;

if (args.Length > 0 && args[0] == "profile")
{
    Profile.Run(args.Length > 1 ? int.Parse(args[1]) : 300, args.Length > 2 ? int.Parse(args[2]) : 64,
        args.Length > 3 ? int.Parse(args[3]) : 17, args.Length > 4 ? args[4] : null);
    return 0;
}
if (args.Length == 0 || args[0] != "bench")
{
    var root = new Command("lamo");
    root.Subcommands.Add(WorldCommands.Create());
    return root.Parse(args).Invoke();
}

int n = args.Length > 1 ? int.Parse(args[1]) : 1000, size = args.Length > 2 ? int.Parse(args[2]) : 64, frames = args.Length > 3 ? int.Parse(args[3]) : 17;
var conditions = new WorldConditionOptions(args.Length > 4 ? args[4] : "v1").Validate();
var scenarios = ScenarioNames.All;
var ranges = SplitRanges.Standard("train");
ClipSpec Spec(int i) => new(scenarios[i % scenarios.Count], ranges, WorldGenerator.ClipSeed(1, "train", scenarios[i % scenarios.Count], i), size, size, frames, conditions);

var sw = Stopwatch.StartNew();
Parallel.For(0, n, i => WorldGenerator.Generate(Spec(i)));
var tSim = sw.Elapsed.TotalSeconds;
sw.Restart();
Parallel.For(0, n, i => Renderer.Render(WorldGenerator.Generate(Spec(i))));
var tRender = sw.Elapsed.TotalSeconds;
Console.WriteLine($"cores={Environment.ProcessorCount} clips={n} size={size} frames={frames} preset={conditions.Preset} ffmpeg={LaMo.Video.Ffmpeg.Available}");
Console.WriteLine($"simulate+caption      : {tSim,7:0.00} s  {n / tSim,8:0.0} clips/s");
Console.WriteLine($"+ render (4x4 SS)     : {tRender,7:0.00} s  {n / tRender,8:0.0} clips/s");
if (conditions.Preset != "v1")
    foreach (var bg in ConditionKinds.Backgrounds.Where(b => b != "images"))
        foreach (var cam in new[] { "static", "pan" })
        {
            var pinned = new WorldConditionOptions("v1", bg, cam, "dimming");
            var clips = Enumerable.Range(0, 200).Select(i => WorldGenerator.Generate(Spec(i) with { Conditions = pinned })).ToArray();
            sw.Restart();
            Parallel.For(0, clips.Length, i => Renderer.Render(clips[i]));
            Console.WriteLine($"  render {bg,-9} {cam,-6}: {clips.Length / sw.Elapsed.TotalSeconds,8:0.0} clips/s");
        }
if (args.Length > 5 && args[5] == "--no-disk") return 0;

var dir = Path.Combine(Path.GetTempPath(), "worldbench-" + Guid.NewGuid().ToString("N"));
var perScenario = (n + scenarios.Count - 1) / scenarios.Count;
sw.Restart();
WorldDatasetWriter.Write(new WorldDatasetOptions(dir, scenarios, perScenario, ranges, 1, size, frames, Conditions: conditions));
var tFull = sw.Elapsed.TotalSeconds;
var total = perScenario * scenarios.Count;
Directory.Delete(dir, true);

Console.WriteLine($"+ mp4 + GT JSON (disk): {tFull,7:0.00} s  {total / tFull,8:0.0} clips/s ({total} clips)");
return 0;
