using System.Diagnostics;
using System.Text.Json;
using LaMo.Models.CogVideoXVae;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>One VAE measurement in its own process (VmHWM never goes down): build the tiny VAE, run the operation once
/// (its peak is what VmHWM records), then <paramref name="reps"/> more times for the time; prints one JSON line.</summary>
internal static class VaeChild
{
    public sealed record Result(string Op, int Frames, int Size, int LatentFrames, double Seconds, double RssBeforeMb, double PeakMb, double GrowthMb);

    public static int Run(string op, int frames, int size, int reps, int threads)
    {
        set_num_threads(threads);
        manual_seed(0);
        var config = AutoencoderKLCogVideoXConfig.Load(Paths.Repo("configs/tiny/vae/config.json"));
        using var vae = new AutoencoderKLCogVideoX(config);
        vae.eval();
        using var noGrad = no_grad();
        int r = (int)config.TemporalCompressionRatio, s = 1 << (config.BlockOutChannels.Count - 1);
        int latentFrames = (frames - 1) / r + 1;
        using var input = op == "encode"
            ? rand(new long[] { 1, config.InChannels, frames, size, size }) * 2 - 1
            : randn(new long[] { 1, config.LatentChannels, latentFrames, size / s, size / s });
        GC.Collect();
        long rssBefore = MachineInfo.Status("VmRSS");
        var times = new List<double>();
        for (int i = 0; i < 1 + reps; i++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            var output = op == "encode" ? vae.Encode(input).Mean : vae.Decode(input);
            times.Add(sw.Elapsed.TotalSeconds);
            if (i == 0 && op == "decode" && output.shape[2] != frames) throw new InvalidOperationException($"decoded {output.shape[2]} frames, expected {frames}");
        }
        long hwm = MachineInfo.Status("VmHWM");
        var result = new Result(op, frames, size, latentFrames, Measure.Median(reps > 0 ? times.Skip(1) : times),
            rssBefore / 1024.0, hwm / 1024.0, (hwm - rssBefore) / 1024.0);
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    public static Result Launch(string op, int frames, int size, int reps, int threads)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(VaeChild).Assembly.Location);
        args.AddRange(["vae-child", op, frames.ToString(), size.ToString(), reps.ToString(), threads.ToString()]);
        var stdout = MachineInfo.Run(self, args, TimeSpan.FromMinutes(10));
        var line = stdout.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<Result>(line["RESULT ".Length..])!;
    }
}

internal static class Paths
{
    public static string Root { get; } = FindRoot();

    public static string Repo(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LaMo.slnx"))) return dir.FullName;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LaMo.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("LaMo.slnx not found above the binary or the working directory");
    }
}
