using System.Diagnostics;
using LaMo.World;

/// <summary>`profile [N] [size] [frames]`: where a clip's time goes, per condition. One thread (no scheduling noise from
/// the other core), best of 3 repeats of N clips each: generate (simulate + condition + caption) and render, in ms per clip
/// of wall time and of process CPU time (all threads: the GC's too; less sensitive than wall time to other jobs' load).
/// Rows pin one dimension and leave the others at their v1 value; the grid crosses every background with every camera.</summary>
internal static class Profile
{
    public static void Run(int n, int size, int frames, string? imageDir)
    {
        var scenarios = ScenarioNames.All;
        var ranges = SplitRanges.Standard("train");
        ClipSpec Spec(int i, WorldConditionOptions o) =>
            new(scenarios[i % scenarios.Count], ranges, WorldGenerator.ClipSeed(1, "train", scenarios[i % scenarios.Count], i), size, size, frames, o);
        Console.WriteLine($"profile: clips={n} size={size} frames={frames}, 1 thread, best of 3, ms per clip (wall, process cpu); load {Load()}");
        void Row(string label, WorldConditionOptions o)
        {
            double gen = double.MaxValue, render = double.MaxValue, genCpu = double.MaxValue, renderCpu = double.MaxValue;
            var clips = new WorldClip[n];
            var process = Process.GetCurrentProcess();
            for (var rep = 0; rep < 3; rep++)
            {
                var (sw, cpu) = (Stopwatch.StartNew(), Cpu(process));
                for (var i = 0; i < n; i++) clips[i] = WorldGenerator.Generate(Spec(i, o));
                (gen, genCpu) = (Math.Min(gen, sw.Elapsed.TotalMilliseconds / n), Math.Min(genCpu, (Cpu(process) - cpu) / n));
                (sw, cpu) = (Stopwatch.StartNew(), Cpu(process));
                for (var i = 0; i < n; i++) Renderer.Render(clips[i]);
                (render, renderCpu) = (Math.Min(render, sw.Elapsed.TotalMilliseconds / n), Math.Min(renderCpu, (Cpu(process) - cpu) / n));
            }
            Console.WriteLine($"  {label,-26} generate {gen,6:0.000} (cpu {genCpu,6:0.000})  render {render,6:0.000} (cpu {renderCpu,6:0.000})  total {gen + render,6:0.000}");
        }
        Row("v1", WorldConditionOptions.V1);
        Row("mixed", new WorldConditionOptions("mixed", BackgroundDir: imageDir));
        foreach (var bg in ConditionKinds.Backgrounds.Skip(1).Where(b => b != "images" || imageDir is not null))
            Row($"background {bg}", new WorldConditionOptions(Background: bg, BackgroundDir: imageDir));
        foreach (var cam in ConditionKinds.Cameras.Skip(1)) Row($"camera {cam}", new WorldConditionOptions(Camera: cam));
        foreach (var light in ConditionKinds.Lightings.Skip(1)) Row($"lighting {light}", new WorldConditionOptions(Lighting: light));
        Row("entering", new WorldConditionOptions(Entering: true));
        foreach (var bg in ConditionKinds.Backgrounds.Where(b => b != "images" || imageDir is not null))
            foreach (var cam in ConditionKinds.Cameras)
                Row($"{bg}/{cam}/dimming", new WorldConditionOptions(Background: bg, Camera: cam, Lighting: "dimming", BackgroundDir: imageDir));
        Console.WriteLine($"load at the end {Load()}");
    }

    private static double Cpu(Process p)
    {
        p.Refresh();
        return p.TotalProcessorTime.TotalMilliseconds;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}

/// <summary>`hash [N] [image-dir]`: SHA-256 of the frames and GT JSON of N mixed clips (and N of every background x
/// camera pair) at 32 and 64 px: run before and after a renderer change to check it is byte-identical.</summary>
internal static class Hash
{
    public static void Run(int n, string? imageDir)
    {
        var scenarios = ScenarioNames.All;
        var ranges = SplitRanges.Standard("train");
        string Of(WorldConditionOptions o, int size)
        {
            var hashes = new string[n];
            Parallel.For(0, n, i =>
            {
                var s = scenarios[i % scenarios.Count];
                var c = WorldGenerator.Generate(new ClipSpec(s, ranges, WorldGenerator.ClipSeed(3, "train", s, i), size, size, 17, o));
                var json = System.Text.Encoding.UTF8.GetBytes(c.ToJson());
                hashes[i] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData([.. Renderer.Render(c), .. json]));
            });
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(hashes))))[..16];
        }
        foreach (var size in new[] { 32, 64 })
        {
            Console.WriteLine($"{size} v1    {Of(WorldConditionOptions.V1, size)}");
            Console.WriteLine($"{size} mixed {Of(new WorldConditionOptions("mixed", BackgroundDir: imageDir), size)}");
            foreach (var bg in ConditionKinds.Backgrounds.Where(b => b != "images" || imageDir is not null))
                foreach (var cam in ConditionKinds.Cameras)
                    foreach (var light in new[] { "constant", "cloud", "warm" })
                        Console.WriteLine($"{size} {bg}/{cam}/{light} {Of(new WorldConditionOptions("mixed", bg, cam, light, BackgroundDir: imageDir), size)}");
        }
    }
}
