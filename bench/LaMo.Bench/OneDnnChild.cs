using System.Text.Json;
using LaMo.Core;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Diffusion.Schedulers;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>The cost of each oneDNN fix (<see cref="OneDnnWorkaround.Mode"/>) on the workloads the fault touches. The
/// faulty kernels (`none`), `pad-channels` and `mkldnn-off` can be switched in one process, so they run interleaved
/// (A B C A B C …) and their ratios are paired per repetition, robust to the machine's load changing. The ISA cap only
/// works before the first convolution, so `isa-avx` runs in a process of its own. Prints one JSON line.</summary>
internal static class OneDnnChild
{
    public sealed record Result(string[] Modes, Dictionary<string, double> WorstRelativeError,
        Dictionary<string, Dictionary<string, double>> Seconds, Dictionary<string, Dictionary<string, double>> PairedRatio);

    /// <summary>Workload names in report order.</summary>
    public static readonly string[] Workloads =
        ["VAE encode (9×64×64)", "VAE decode (9×64×64)", "VAE training step (batch 2, 9×32×32)", "predictor training step (demo shapes, batch 4)",
         "guided sampling step (demo shapes)", "backbone training step (small, batch 4)", "bf16 matmul 512³"];

    /// <summary>In-process modes, switched between repetitions.</summary>
    public static readonly string[] InProcessModes = ["none", "pad-channels", "mkldnn-off"];

    public static int Run(bool isaAvx, int reps, int threads)
    {
        OneDnnWorkaround.Apply();
        set_num_threads(threads);
        string[] modes = isaAvx ? ["isa-avx"] : InProcessModes;
        var worst = modes.ToDictionary(m => m, m => { Switch(m); return ConvNumericsCheck.WorstRelativeError(safe: true, repeats: 3); });
        var seconds = modes.ToDictionary(m => m, _ => new Dictionary<string, double>());
        var ratio = modes.ToDictionary(m => m, _ => new Dictionary<string, double>());
        foreach (var (name, action) in Build())
        {
            var times = Measure.Interleaved(2, reps, modes.Select(m => (Action)(() => { Switch(m); action(); })).ToArray());
            for (int i = 0; i < modes.Length; i++)
            {
                seconds[modes[i]][name] = Measure.Median(times[i]);
                ratio[modes[i]][name] = Measure.PairedRatio(times[i], times[0]);
            }
        }
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new Result(modes, worst, seconds, ratio), Report.JsonOptions).ReplaceLineEndings(" "));
        return 0;
    }

    // In-process switches; in the isa-avx process the cap is already in place and SafeConv is off.
    private static void Switch(string mode)
    {
        if (mode == "isa-avx") return;
        SafeConv.Enabled = mode == "pad-channels";
        LibTorchNative.SetUserEnabledMkldnn(mode != "mkldnn-off");
    }

    public static Result Launch(bool isaAvx, int reps, int threads)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(OneDnnChild).Assembly.Location);
        args.AddRange(["onednn-child", isaAvx ? "isa-avx" : "in-process", reps.ToString(), threads.ToString()]);
        var env = new Dictionary<string, string?> { [OneDnnWorkaround.Variable] = isaAvx ? "isa-avx" : "none", ["DNNL_MAX_CPU_ISA"] = null };
        var stdout = MachineInfo.Run(self, args, TimeSpan.FromMinutes(30), env);
        var line = stdout.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<Result>(line["RESULT ".Length..], Report.JsonOptions)!;
    }

    private static List<(string, Action)> Build()
    {
        manual_seed(0);
        var vaeConfig = AutoencoderKLCogVideoXConfig.Load(Paths.Repo("configs/tiny/vae/config.json"));
        var vae = new AutoencoderKLCogVideoX(vaeConfig);
        var video = (rand(new long[] { 1, 3, 9, 64, 64 }) * 2 - 1).DetachFromDisposeScope();
        var latent = randn(new long[] { 1, vaeConfig.LatentChannels, 3, 16, 16 }).DetachFromDisposeScope();
        var trainVideo = (rand(new long[] { 2, 3, 9, 32, 32 }) * 2 - 1).DetachFromDisposeScope();

        // The demo's shapes: 4-channel latents, so the predictor's head (Cout 4) is one of the padded convolutions.
        var w = new Workload("demo", TransformerLimits.Load(Paths.Repo("models/demo/base/transformer")), 4, 5, 8, 8,
            MotionPriorLimits.Parse(File.ReadAllText(Paths.Repo("models/demo/ft-lamo-s0/predictor/config.json")), "demo predictor"));
        var prior = new MotionPrior(w.Prior);
        var priorLoss = new MotionPriorLoss();
        var priorOpt = new NamedAdamW([new OptimizerGroup("predictor", ParamGroups.Trainable(prior), 0.0, 1.0)]);
        var lr = new Dictionary<string, double> { ["predictor"] = 5e-4 };
        using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        var alphas = tensor(scheduler.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32).DetachFromDisposeScope();
        var z0 = randn(new long[] { w.Batch, w.LatentFrames, w.Config.InChannels, w.LatentHeight, w.LatentWidth }).DetachFromDisposeScope();
        var pooled = randn(new long[] { w.Batch, w.Prior.PromptTextDim }).DetachFromDisposeScope();

        var sampling = new SamplingStep(w with { Batch = 1 });
        var training = new TrainingStep(Workload.Small(4));
        var a16 = randn(new long[] { 512, 512 }).to_type(ScalarType.BFloat16).DetachFromDisposeScope();
        var b16 = randn(new long[] { 512, 512 }).to_type(ScalarType.BFloat16).DetachFromDisposeScope();

        return
        [
            (Workloads[0], () => { using var ng = no_grad(); vae.eval(); vae.Encode(video).Mean.sum().item<float>(); }),
            (Workloads[1], () => { using var ng = no_grad(); vae.eval(); vae.Decode(latent).sum().item<float>(); }),
            (Workloads[2], () =>
            {
                vae.train();
                using var posterior = vae.Encode(trainVideo);
                var loss = (vae.Decode(posterior.Mean) - trainVideo).pow(2).mean();
                loss.backward();
                vae.zero_grad();
            }),
            (Workloads[3], () =>
            {
                prior.train();
                priorLoss.Compute(prior, z0, pooled, alphas).Loss.backward();
                priorOpt.ClipGradients(); priorOpt.Step(lr); priorOpt.ZeroGrad();
            }),
            (Workloads[4], () => sampling.Run(sampling.Mpg)),
            (Workloads[5], () => training.Run(false, false)),
            (Workloads[6], () => matmul(a16, b16).sum().to_type(ScalarType.Float32).item<float>()),
        ];
    }
}
