using LaMo.Diffusion;
using LaMo.Diffusion.Guidance;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>One denoising step as <see cref="CogVideoXPipeline.Generate"/> takes it: CFG velocity (batch 2) without
/// gradients, the guidance terms, the scheduler step. The latent is not advanced, so every repetition costs the same.</summary>
internal sealed class SamplingStep : IDisposable
{
    public const int Steps = 50;
    public Workload W { get; }
    public CogVideoXPipeline Pipeline { get; }
    private readonly MotionPrior _prior;
    private readonly Tensor _latents, _pos, _neg;
    private readonly RotaryTables? _rope;
    public MotionPriorGuidance Mpg { get; }

    /// <summary>The guidance's predictor (for diagnostics).</summary>
    public MotionPrior Prior => _prior;
    public FlowMoGuidance FlowMo { get; } = new();
    private readonly IReadOnlyList<int> _timesteps;

    public SamplingStep(Workload w, int height = -1, int width = -1, int frames = -1)
    {
        W = w with
        {
            LatentHeight = height > 0 ? height : w.LatentHeight, LatentWidth = width > 0 ? width : w.LatentWidth,
            LatentFrames = frames > 0 ? frames : w.LatentFrames,
        };
        manual_seed(0);
        var model = new CogVideoXTransformer3DModel(w.Config);
        model.eval();
        var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        scheduler.SetTimesteps(Steps);
        _timesteps = scheduler.Timesteps;
        Pipeline = new CogVideoXPipeline(model, null, scheduler, null) { OwnsComponents = true };
        _prior = new MotionPrior(w.Prior);
        // A trained prior's head is not zero; randomise it so the guidance gradient is a real one.
        using (no_grad()) foreach (var p in _prior.parameters()) if (p.abs().sum().item<float>() == 0 && p.dim() > 1) p.normal_(0, 0.02);
        _prior.eval();
        Mpg = new MotionPriorGuidance(_prior);
        _latents = randn(new long[] { 1, W.LatentFrames, w.Config.InChannels, W.LatentHeight, W.LatentWidth }).DetachFromDisposeScope();
        _pos = randn(new long[] { 1, w.TextTokens, w.Config.TextEmbedDim }).DetachFromDisposeScope();
        _neg = zeros(new long[] { 1, w.TextTokens, w.Config.TextEmbedDim }).DetachFromDisposeScope();
        _rope = w.Config.UseRotaryPositionalEmbeddings
            ? CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(w.Config, W.LatentHeight * 8, W.LatentWidth * 8, W.LatentFrames)
            : null;
    }

    /// <summary>Step index used for guided runs: inside MPG's window (s ≥ 10 of 50) and inside FlowMo's (s &lt; 12).</summary>
    public const int GuidedIndex = 10;

    public void Run(IGuidance? guidance)
    {
        int i = GuidedIndex, t = _timesteps[i];
        Tensor v;
        using (no_grad()) v = Pipeline.PredictVelocity(_latents, t, _pos, _neg, true, 6.0, _rope);
        if (guidance is not null)
            v = guidance.Apply(new GuidanceContext(i, Steps, t, Pipeline.Scheduler.AlphaCumprod(t), _latents, v, _pos,
                x => Pipeline.PredictVelocity(x, t, _pos, _neg, true, 6.0, _rope)));
        using (no_grad()) Pipeline.Scheduler.Step(v.detach(), t, _latents).PrevSample.Dispose();
    }

    private Tensor? _v;

    /// <summary>The guidance context of the guided step with a cached CFG velocity (to time a guidance term alone).</summary>
    public GuidanceContext Context()
    {
        int i = GuidedIndex, t = _timesteps[i];
        if (_v is null)
            using (no_grad()) _v = Pipeline.PredictVelocity(_latents, t, _pos, _neg, true, 6.0, _rope).DetachFromDisposeScope();
        return new GuidanceContext(i, Steps, t, Pipeline.Scheduler.AlphaCumprod(t), _latents, _v, _pos);
    }

    public double BackboneFlops => TransformerFlops.ForwardFlops(W.Config, 2, W.LatentFrames, W.LatentHeight, W.LatentWidth, W.TextTokens);

    public void Dispose()
    {
        Pipeline.Dispose(); _prior.Dispose();
        _v?.Dispose(); _latents.Dispose(); _pos.Dispose(); _neg.Dispose();
        _rope?.Cos.Dispose(); _rope?.Sin.Dispose();
    }
}
