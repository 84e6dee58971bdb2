using LaMo.Data;
using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Wan;
using LaMo.Motion;
using LaMo.Tests.Diffusion.Pipeline;
using LaMo.Training;
using TorchSharp;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>The main paths run with every input and weight on the CPU while TorchSharp's default device is <c>meta</c>
/// (<c>torch.set_default_device</c>): a tensor the library makes without naming its device then lands on meta, and the
/// first op that mixes it with the CPU data throws "Expected all tensors to be on the same device" — what a CUDA run
/// would do with a tensor left on the CPU. Unlike running the model on meta (its convolutions, norms and attention have
/// no meta kernels here, see <see cref="DeviceAgnosticTests"/>), this runs every op for real, so it covers the
/// transformers, both VAEs, Motion Prior Guidance's gradient step, a training step and a pipeline run. Each result must
/// be on the CPU and bit-identical to the same call without the trap (a meta tensor slipping through cat, which does not
/// check devices, would show there).</summary>
[Collection(nameof(SerialCollection))]   // the default device is process-wide
public sealed class DefaultDeviceTrapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-trap-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Runs <paramref name="run"/> with the default device set to meta; restores the CPU default afterwards.</summary>
    private static T Trapped<T>(Func<T> run)
    {
        set_default_device(META);
        try { return run(); }
        finally { set_default_device(CPU); }
    }

    // The same call outside and inside the trap: both on the CPU, equal bit for bit.
    private static void SameOnCpu(Func<Tensor> run, string what)
    {
        using var scope = NewDisposeScope();
        var free = run();
        var trapped = Trapped(run);
        Assert.Equal(DeviceType.CPU, trapped.device_type);
        Assert.Equal(free.shape, trapped.shape);
        Assert.True(free.eq(trapped).all().item<bool>(), $"{what}: the trapped run differs");
    }

    [Fact]
    public void Trap_CatchesATensorMadeWithoutADevice()
    {
        using var x = ones([2, 3]);
        var e = Assert.ThrowsAny<Exception>(() => Trapped(() => x.add(zeros([2, 3]), Sc(1))));   // zeros lands on meta
        Assert.Contains("same device", e.Message);
        using var fine = Trapped(() => x.add(zeros([2, 3], device: x.device), Sc(1)));
        Assert.Equal(DeviceType.CPU, fine.device_type);
        Assert.Equal(DeviceType.CPU, zeros(1).device_type);                                        // restored
    }

    [Fact]
    public void CogVideoXTransformer_ForwardWithRope()
    {
        manual_seed(3);
        var config = CogVideoXTransformerPresets.Tiny;
        using var model = new CogVideoXTransformer3DModel(config);
        model.eval();
        using var x = randn([1, 2, 16, 8, 8]);
        using var text = randn([1, 4, 32]);
        using var t = tensor(new long[] { 500 });
        using var _ = no_grad();
        SameOnCpu(() =>
        {
            var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(config, 64, 64, 2, device: x.device);
            return model.forward(x, text, t, rope);
        }, "CogVideoX forward (RoPE)");
        using var sincos = new CogVideoXTransformer3DModel(config with { UseRotaryPositionalEmbeddings = false });   // the sin-cos table path
        sincos.eval();
        using var fullText = randn([1, config.MaxTextSeqLength, 32]);                                            // sin-cos needs the full text length
        SameOnCpu(() => sincos.forward(x, fullText, t, null), "CogVideoX forward (sin-cos)");
    }

    [Fact]
    public void WanTransformer_Forward()
    {
        manual_seed(5);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.eval();
        using var x = randn([1, 16, 3, 4, 4]);
        using var text = randn([1, 3, 32]);
        using var t = tensor(new float[] { 700f });
        using var _ = no_grad();
        SameOnCpu(() => model.forward(x, t, text), "Wan forward");
    }

    [Fact]
    public void CogVideoXVae_EncodeSampleDecode()
    {
        manual_seed(1);
        using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Tiny);
        vae.eval();
        using var video = rand([1, 3, 5, 16, 16]).mul(Sc(2)).add(Sc(-1), Sc(1));
        using var _ = no_grad();
        SameOnCpu(() =>
        {
            using var g = new Generator(9);
            using var posterior = vae.Encode(video);
            return vae.Decode(posterior.Sample(g));
        }, "CogVideoX VAE");
    }

    [Fact]
    public void WanVae_EncodeDecode()
    {
        using var vae = LaMo.Tests.Models.WanVae.WanVaeTestSupport.New(LaMo.Tests.Models.WanVae.WanVaeTestSupport.Tiny21);
        using var video = rand([1, 3, 5, 16, 16]).mul(Sc(2)).add(Sc(-1), Sc(1));
        using var _ = no_grad();
        SameOnCpu(() =>
        {
            using var posterior = vae.Encode(video);
            return vae.Decode(posterior.Mode());
        }, "Wan VAE");
    }

    [Fact]
    public void MotionPriorGuidance_GradientStep()
    {
        manual_seed(21);
        using var prior = new MotionPrior(MotionPriorConfig.Tiny);
        prior.eval();
        using var latents = randn([2, 4, 4, 5, 5]);
        using var v = randn([2, 4, 4, 5, 5]);
        using var prompt = randn([2, 6, 32]);
        var guidance = new MotionPriorGuidance(prior, MotionPriorGuidanceOptions.Default);
        SameOnCpu(() => guidance.Apply(new GuidanceContext(45, 50, 99, 0.6, latents, v, prompt)), "Motion Prior Guidance");
    }

    [Fact]
    public void DriftLoss_WithGradient()
    {
        manual_seed(2);
        using var x0Hat = randn([2, 5, 4, 3, 3]);
        using var z0 = randn([2, 5, 4, 3, 3]);
        using var t = tensor(new long[] { 100, 700 });
        SameOnCpu(() =>
        {
            var leaf = x0Hat.detach().requires_grad_(true);
            var r = new MotionDriftLoss().ComputeFromTimesteps(leaf, z0, t);
            return autograd.grad([r.Total], [leaf])[0];
        }, "drift loss gradient");
    }

    [Fact]
    public void TrainingStep_BackboneWithDriftAndPredictor()
    {
        string cachePath = RelyKit.SyntheticCache(_dir, clips: 4);
        using var cache = LatentCache.Open(cachePath);
        using var empty = LatentCache.LoadEmptyPrompt(cachePath);
        var o = new BackboneTrainingOptions
        {
            Cache = cachePath, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            BatchSize = 2, Seed = 5, TextDropout = 0.5, DriftLoss = true, Predictor = true, PredictorConfig = "tiny",
        };
        IReadOnlyDictionary<string, double> Step()
        {
            manual_seed(7);
            using var transformer = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);   // built on the CPU, named
            using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B);
            using var prior = new MotionPrior(MotionPriorConfig.Tiny with { InChannels = 16 }, CPU);
            using var scope = NewDisposeScope();
            return new BackboneTrainingTask(BackboneTrainingPlan.Resolve(o), cache, empty, transformer, scheduler, null, prior).ForwardBackward(2);
        }
        var free = Step();
        // The models are built outside the trap (TorchSharp's own layers take the default device); the step runs inside.
        manual_seed(7);
        using var transformer = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B);
        using var prior = new MotionPrior(MotionPriorConfig.Tiny with { InChannels = 16 }, CPU);
        var task = new BackboneTrainingTask(BackboneTrainingPlan.Resolve(o), cache, empty, transformer, scheduler, null, prior);
        using var scope = NewDisposeScope();
        var trapped = Trapped(() => task.ForwardBackward(2));
        Assert.Equal(free.Keys.Order(), trapped.Keys.Order());
        foreach (var (k, value) in free) Assert.True(value == trapped[k], $"{k}: {value:R} free, {trapped[k]:R} trapped");
        Assert.All(transformer.parameters(), p => Assert.True(p.grad is null || p.grad.device_type == DeviceType.CPU));
    }

    [Fact]
    public void Pipeline_SamplesWithGuidanceAndDecodes()
    {
        using var pipe = TinyPipelineFactory.Create(seed: 4);
        using var prior = new MotionPrior(MotionPriorConfig.Tiny with { PromptTextDim = 64 });
        prior.eval();
        using var guided = new CogVideoXPipeline(pipe.Transformer, pipe.Vae, pipe.Scheduler, pipe.TextEncoder)
        {
            Guidance = [new MotionPriorGuidance(prior, new MotionPriorGuidanceOptions(Lambda: 1, Rho: 1))],
        };
        var request = TinyPipelineFactory.Request() with { NumInferenceSteps = 2, Prompts = ["a red ball rolls to the right"] };
        SameOnCpu(() =>
        {
            using var r = guided.Generate(request);
            return r.Video!.clone();
        }, "pipeline with guidance");
    }

    [Fact]
    public void WanPipeline_SamplesAndDecodes()
    {
        using var pipe = TinyWanPipelineFactory.Create(seed: 6);
        var request = TinyWanPipelineFactory.Request() with { NumInferenceSteps = 2 };
        SameOnCpu(() =>
        {
            using var r = pipe.Generate(request);
            return r.Video!.clone();
        }, "Wan pipeline");
    }
}
