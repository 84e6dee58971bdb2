// World throughput bench. `bench [N] [size] [frames]` times N clips (all scenarios round-robin) in three stages:
// simulate + caption, + render, + H.264 mp4 + GT JSON to a temp folder (the full `world generate` path).
// Any other arguments run the `world` CLI commands directly (e.g. `world generate --count 4 --out /tmp/w`).
using System.CommandLine;
using System.Diagnostics;
using LaMo.Cli.Commands;
using LaMo.World;

if (args.Length == 0 || args[0] != "bench")
{
    var root = new Command("lamo");
    root.Subcommands.Add(WorldCommands.Create());
    return root.Parse(args).Invoke();
}

int n = args.Length > 1 ? int.Parse(args[1]) : 1000, size = args.Length > 2 ? int.Parse(args[2]) : 64, frames = args.Length > 3 ? int.Parse(args[3]) : 17;
var scenarios = ScenarioNames.All;
var ranges = SplitRanges.Standard("train");
ClipSpec Spec(int i) => new(scenarios[i % scenarios.Count], ranges, WorldGenerator.ClipSeed(1, "train", scenarios[i % scenarios.Count], i), size, size, frames);

var sw = Stopwatch.StartNew();
Parallel.For(0, n, i => WorldGenerator.Generate(Spec(i)));
var tSim = sw.Elapsed.TotalSeconds;
sw.Restart();
Parallel.For(0, n, i => Renderer.Render(WorldGenerator.Generate(Spec(i))));
var tRender = sw.Elapsed.TotalSeconds;

var dir = Path.Combine(Path.GetTempPath(), "worldbench-" + Guid.NewGuid().ToString("N"));
var perScenario = (n + scenarios.Count - 1) / scenarios.Count;
sw.Restart();
WorldDatasetWriter.Write(new WorldDatasetOptions(dir, scenarios, perScenario, ranges, 1, size, frames));
var tFull = sw.Elapsed.TotalSeconds;
var total = perScenario * scenarios.Count;
Directory.Delete(dir, true);

Console.WriteLine($"cores={Environment.ProcessorCount} clips={n} size={size} frames={frames} ffmpeg={LaMo.Video.Ffmpeg.Available}");
Console.WriteLine($"simulate+caption      : {tSim,7:0.00} s  {n / tSim,8:0.0} clips/s");
Console.WriteLine($"+ render (4x4 SS)     : {tRender,7:0.00} s  {n / tRender,8:0.0} clips/s");
Console.WriteLine($"+ mp4 + GT JSON (disk): {tFull,7:0.00} s  {total / tFull,8:0.0} clips/s ({total} clips)");
return 0;
