using System.Text.Json;
using LaMo.Core;
using LaMo.Models.CogVideoXVae;
using LaMo.Diffusion.Schedulers;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>One process per oneDNN fix (<see cref="OneDnnWorkaround.Mode"/>; the ISA cap only works before the first
/// convolution, so modes cannot share a process): the conv error against float64 and the median time of the workloads
/// the fault touches. Prints one JSON line.</summary>
internal static class OneDnnChild
{
    public sealed record Result(string Mode, string Applied, double WorstRelativeError, Dictionary<string, double> Seconds);

    /// <summary>Workload names in report order.</summary>
    public static readonly string[] Workloads =
        ["VAE encode (9×64×64)", "VAE decode (9×64×64)", "VAE training step (batch 2, 9×32×32)", "predictor training step (small, batch 4)",
         "guided sampling step (small)", "backbone training step (small, batch 4)", "bf16 matmul 512³"];

    public static int Run(int reps, int threads)
    {
        string applied = OneDnnWorkaround.Apply();
        set_num_threads(threads);
        double worst = ConvNumericsCheck.WorstRelativeError(safe: true, repeats: 3);
        var actions = Build();
        var seconds = new Dictionary<string, double>();
        foreach (var (name, action) in actions) seconds[name] = Measure.Median(Measure.Repeat(2, reps, action));
        var mode = OneDnnWorkaround.ParseMode(Environment.GetEnvironmentVariable(OneDnnWorkaround.Variable)).ToString();
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new Result(mode, applied, worst, seconds), Report.JsonOptions).ReplaceLineEndings(" "));
        return 0;
    }

    public static Result Launch(string mode, int reps, int threads)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(OneDnnChild).Assembly.Location);
        args.AddRange(["onednn-child", reps.ToString(), threads.ToString()]);
        var env = new Dictionary<string, string?> { [OneDnnWorkaround.Variable] = mode, ["DNNL_MAX_CPU_ISA"] = null };
        var stdout = MachineInfo.Run(self, args, TimeSpan.FromMinutes(20), env);
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

        var w = Workload.Small(4);
        var prior = new MotionPrior(w.Prior);
        var priorLoss = new MotionPriorLoss();
        var priorOpt = new NamedAdamW([new OptimizerGroup("predictor", ParamGroups.Trainable(prior), 0.0, 1.0)]);
        var lr = new Dictionary<string, double> { ["predictor"] = 5e-4 };
        using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        var alphas = tensor(scheduler.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32).DetachFromDisposeScope();
        var z0 = randn(new long[] { w.Batch, w.LatentFrames, w.Config.InChannels, w.LatentHeight, w.LatentWidth }).DetachFromDisposeScope();
        var pooled = randn(new long[] { w.Batch, w.Prior.PromptTextDim }).DetachFromDisposeScope();

        var sampling = new SamplingStep(Workload.Small(1));
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
