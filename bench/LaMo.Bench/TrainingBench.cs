using System.Diagnostics;
using LaMo.Diffusion;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>One backbone training step written out (as BackboneTrainingTask does it, without the cache): forward,
/// CogVideoX's x₀ loss, optionally λ·w·L_drift and the joint predictor loss L_φ, backward, clip, AdamW.</summary>
internal sealed class TrainingStep : IDisposable
{
    public Workload W { get; }
    public CogVideoXTransformer3DModel Model { get; }
    public MotionPrior Prior { get; }
    private readonly IScheduler _scheduler;
    private readonly Tensor _alphas, _z0, _text, _pooled;
    private readonly RotaryTables? _rope;
    private readonly NamedAdamW _backboneOpt, _priorOpt;
    private readonly MotionDriftLoss _drift = new();
    private readonly MotionPriorLoss _priorLoss = new();
    private static readonly Dictionary<string, double> BackboneLr = new() { ["backbone"] = 1e-4 }, PriorLr = new() { ["predictor"] = 5e-4 };

    public TrainingStep(Workload w)
    {
        W = w;
        manual_seed(0);
        Model = new CogVideoXTransformer3DModel(w.Config);
        Prior = new MotionPrior(w.Prior);
        _scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        _alphas = tensor(_scheduler.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32).DetachFromDisposeScope();
        _z0 = randn(new long[] { w.Batch, w.LatentFrames, w.Config.InChannels, w.LatentHeight, w.LatentWidth }).DetachFromDisposeScope();
        _text = randn(new long[] { w.Batch, w.TextTokens, w.Config.TextEmbedDim }).DetachFromDisposeScope();
        _pooled = MotionPrior.PoolPrompt(_text).DetachFromDisposeScope();
        _rope = w.Config.UseRotaryPositionalEmbeddings
            ? CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(w.Config, w.LatentHeight * 8, w.LatentWidth * 8, w.LatentFrames)
            : null;
        _backboneOpt = new NamedAdamW([new OptimizerGroup("backbone", ParamGroups.Trainable(Model), 1e-4, 1.0)]);
        _priorOpt = new NamedAdamW([new OptimizerGroup("predictor", ParamGroups.Trainable(Prior), 0.0, 1.0)]);
    }

    /// <summary>Seconds spent in forward (with losses), backward and optimiser of the last <see cref="Run"/>.</summary>
    public (double Forward, double Backward, double Optimizer) LastBreakdown { get; private set; }

    public void Run(bool drift, bool joint)
    {
        var sw = Stopwatch.StartNew();
        Model.train();
        long b = W.Batch;
        var t = randint(0L, 1000L, [b]);
        var noise = randn(_z0.shape);
        var xt = _scheduler.AddNoise(_z0, noise, t);
        var v = Model.forward(xt, _text, t, _rope);
        var abar = _alphas.index_select(0, t);                                   // ᾱ_t [B]
        var x0Hat = DiffusionMath.PredictX0FromV(v, xt, abar);
        var loss = DenoisingLoss.VPredictionX0(x0Hat, _z0, abar);
        if (drift) loss = loss + _drift.ComputeFromTimesteps(x0Hat, _z0, t).Total;
        if (joint)
        {
            Prior.train();
            loss = loss + _priorLoss.Compute(Prior, _z0, _pooled, _alphas).Loss;
        }
        double f = sw.Elapsed.TotalSeconds;
        loss.backward();
        double bw = sw.Elapsed.TotalSeconds;
        _backboneOpt.ClipGradients();
        _backboneOpt.Step(BackboneLr);
        _backboneOpt.ZeroGrad();
        if (joint)
        {
            _priorOpt.ClipGradients();
            _priorOpt.Step(PriorLr);
            _priorOpt.ZeroGrad();
        }
        LastBreakdown = (f, bw - f, sw.Elapsed.TotalSeconds - bw);
    }

    /// <summary>The drift loss alone on a step's x̂₀ (forward + its backward into x̂₀), for its cost in isolation.</summary>
    public void DriftOnly()
    {
        var x0Hat = randn(_z0.shape).requires_grad_(true);
        var t = randint(0L, 1000L, [W.Batch]);
        var d = _drift.ComputeFromTimesteps(x0Hat, _z0, t).Total;
        d.backward();
    }

    public double StepFlops(bool joint) =>
        3 * TransformerFlops.ForwardFlops(W.Config, W.Batch, W.LatentFrames, W.LatentHeight, W.LatentWidth, W.TextTokens)
        + (joint ? MotionPriorFlops.TrainingStepFlops(W.Prior, (long)W.Batch * (W.LatentFrames - 1), W.LatentHeight, W.LatentWidth) : 0);

    public void Dispose()
    {
        _backboneOpt.Dispose(); _priorOpt.Dispose();
        Model.Dispose(); Prior.Dispose(); _scheduler.Dispose();
        _alphas.Dispose(); _z0.Dispose(); _text.Dispose(); _pooled.Dispose();
        _rope?.Cos.Dispose(); _rope?.Sin.Dispose();
    }
}
