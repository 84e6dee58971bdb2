using LaMo.Core;
using LaMo.Data;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.Lora;
using LaMo.Motion;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>One training step of the backbone on cached latents: the backbone family's denoising loss (CogVideoX's
/// x₀-space loss), plus LaMo's λ·w·L_drift on x̂₀ (docs/method.md §2) and, jointly, the predictor's L_φ on the same batch with
/// its own optimiser group (§1). The latents are detached for L_φ, so it only updates φ; the drift loss only updates the
/// backbone. The step reaches the backbone only through <see cref="IDiffusionBackbone"/> (model call, x̂₀, noising,
/// noise levels for w and for L_φ's augmentation, layout).</summary>
/// <remarks>Data-parallel: the step's batch, timesteps, noise, text dropout and L_φ's draws are made for the global
/// batch and sliced with the <see cref="DataShard"/>; the drift weight w is the global batch's. Every logged term is then
/// a plain mean over equal shards, so the ranks' means are the global batch's values.</remarks>
public sealed class BackboneTrainingTask : ITrainingTask
{
    private readonly BackboneTrainingPlan _plan;
    private readonly LatentCache _cache;
    private readonly IDiffusionBackbone _backbone;
    private readonly INoiseLevels _levels;
    private readonly Tensor _emptyPrompt;            // [L, D]
    private readonly MotionDriftLoss? _drift;
    private readonly MotionPrior? _prior;
    private readonly MotionPriorLossOptions _lossOptions;
    private readonly DataShard _shard;

    /// <summary>Creates the task for a CogVideoX transformer and its scheduler (put behind the backbone seam as a
    /// <see cref="CogVideoXBackbone"/>, RoPE tables built for the cache's latent grid). <paramref name="lora"/> is the
    /// adapter set when training in LoRA mode, and <paramref name="prior"/> the predictor when the plan trains one.</summary>
    /// <exception cref="ArgumentException">The cache's channels or prompt embeddings do not fit the transformer.</exception>
    public BackboneTrainingTask(BackboneTrainingPlan plan, LatentCache cache, Tensor emptyPromptEmbeds,
        CogVideoXTransformer3DModel transformer, IScheduler scheduler, LoraAdapterSet? lora, MotionPrior? prior, DataShard? shard = null)
        : this(plan, cache, emptyPromptEmbeds, CogVideoXFor(plan, cache, transformer, scheduler, shard), lora, prior, shard)
    {
    }

    /// <summary>Creates the task for any backbone family behind the seam. The cache holds frames-first latents
    /// [F, C, h, w] that fit the backbone; <paramref name="lora"/> is the adapter set injected into
    /// <see cref="IDiffusionBackbone.Denoiser"/> when training in LoRA mode.</summary>
    /// <exception cref="ArgumentException">The ranks or micro batches do not divide the batch, or the modules do not match
    /// the plan's features.</exception>
    public BackboneTrainingTask(BackboneTrainingPlan plan, LatentCache cache, Tensor emptyPromptEmbeds,
        IDiffusionBackbone backbone, LoraAdapterSet? lora, MotionPrior? prior, DataShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if ((plan.Predictor is null) != (prior is null)) throw new ArgumentException("a predictor module is needed exactly when the plan trains one", nameof(prior));
        if ((plan.Lora is null) != (lora is null)) throw new ArgumentException("LoRA adapters are needed exactly in LoRA mode", nameof(lora));
        _shard = shard ?? DataShard.Single;
        _shard.MicroShards(plan.Batch.BatchSize, plan.Batch.MicroBatchSize);   // validates that ranks and micro batches divide the batch
        _plan = plan;
        _cache = cache; _backbone = backbone; _levels = backbone.NoiseLevels; _prior = prior;
        _emptyPrompt = emptyPromptEmbeds.to_type(ScalarType.Float32).DetachFromDisposeScope();
        _drift = plan.Drift is { } drift ? new MotionDriftLoss(drift.Loss) : null;
        _lossOptions = plan.Predictor?.Loss ?? MotionPriorLossOptions.Default;
        var denoiser = backbone.Denoiser;

        // LoRA checkpoints hold only the adapters; the frozen base is the init pipeline's.
        var modules = new Dictionary<string, nn.Module> { [lora is null ? "transformer" : "lora"] = lora is null ? denoiser : new LoraStateModule(lora) };
        var groups = new List<ScheduledGroup>();
        var backboneParams = lora is not null
            ? lora.Parameters().Select((p, i) => (p, i)).ToDictionary(x => $"lora.{x.i}", x => x.p)
            : ParamGroups.Trainable(denoiser);
        groups.Add(Scheduled("backbone", backboneParams, plan.Backbone));
        if (prior is not null)
        {
            modules["predictor"] = prior;
            groups.Add(Scheduled("predictor", ParamGroups.Trainable(prior), plan.Predictor!.Optimizer));
        }
        SavedModules = modules;
        Groups = groups;
    }

    private static ScheduledGroup Scheduled(string name, IReadOnlyDictionary<string, TorchSharp.Modules.Parameter> parameters, OptimizerPlan o) =>
        new(new OptimizerGroup(name, parameters, o.WeightDecay, o.MaxGradNorm), o.LearningRate, o.WarmupSteps, o.Schedule);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <inheritdoc />
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ForwardBackward(int step) =>
        MicroBatching.Accumulate(_shard.MicroShards(_plan.Batch.BatchSize, _plan.Batch.MicroBatchSize), (shard, scale) => ForwardBackward(step, shard, scale));

    // The CogVideoX constructor's checks, then its backbone (RoPE tables for the cache's grid, built once).
    private static CogVideoXBackbone CogVideoXFor(BackboneTrainingPlan plan, LatentCache cache,
        CogVideoXTransformer3DModel transformer, IScheduler scheduler, DataShard? shard)
    {
        (shard ?? DataShard.Single).MicroShards(plan.Batch.BatchSize, plan.Batch.MicroBatchSize);   // the checks in their former order
        var tc = transformer.Config;
        if (cache.LatentShape[1] != tc.InChannels)
            throw new ArgumentException($"cache latents have {cache.LatentShape[1]} channels but the transformer expects in_channels {tc.InChannels}", nameof(cache));
        if (cache.EmbedShape[0] != tc.MaxTextSeqLength || cache.EmbedShape[1] != tc.TextEmbedDim)
            throw new ArgumentException($"cache prompt embeddings are [{cache.EmbedShape[0]}, {cache.EmbedShape[1]}] but the transformer expects [{tc.MaxTextSeqLength}, {tc.TextEmbedDim}]", nameof(cache));
        return new CogVideoXBackbone(transformer, scheduler, ((int)cache.LatentShape[0], (int)cache.LatentShape[2], (int)cache.LatentShape[3]));
    }

    // One pass over the items of `shard`; its loss is scaled by `scale` before backward (1 / passes), logged unscaled.
    private Dictionary<string, double> ForwardBackward(int step, DataShard shard, double scale)
    {
        _backbone.Denoiser.train();
        using var g = StepRandom.For(_plan.Batch.Seed, step);
        // Every draw is made for the whole global batch, then this rank keeps its shard: the run is the same for any rank
        // count. Only this rank's clips are read (a streamed cache reads them from disk).
        long bAll = _plan.Batch.BatchSize;
        // Data and draws come from the CPU (the cache, a CPU generator: the same run on every device) and move to the
        // denoiser's device.
        var device = _backbone.Denoiser.parameters().First().device;
        var (z0Cpu, embedsCpu, _) = _cache.DrawShardBatch(g, _plan.Batch.BatchSize, shard);  // z0 [b, F', C, h, w]; embeds [b, L, D]
        var (z0, embeds) = (z0Cpu.to(device), embedsCpu.to(device));
        var dropAll = HostRandom.Rand([bAll], g, device).lt(Sc(_plan.TextDropout)).reshape(bAll, 1, 1);
        var tAll = _levels.SampleTimesteps(bAll, g).to(device);                     // CogVideoX: t ~ U{0..999}
        var noiseAll = HostRandom.Randn([bAll, .. _cache.LatentShape], g, device);
        var (drop, t, noise) = (shard.Take(dropAll), shard.Take(tAll), shard.Take(noiseAll));
        var text = where(drop, _emptyPrompt.to(device).unsqueeze(0).expand_as(embeds), embeds); // empty prompt for CFG training
        // The backbone works in its own layout (CogVideoX: frames-first, so these are the same tensors); LaMo's losses
        // see frames-first latents.
        var layout = _backbone.Layout;
        var zb = layout.FromFramesFirst(z0);
        var xt = _backbone.AddNoise(zb, layout.FromFramesFirst(noise), t);
        // Mixed precision: a half-precision base sees half-precision inputs; the prediction and the losses are fp32.
        var prediction = _backbone.Predict(xt, text, t);
        var x0Hat = _backbone.PredictX0(prediction, xt, t);                         // CogVideoX: x̂₀ = √ᾱ x_t − √(1−ᾱ) v
        var denoise = _backbone.DenoisingLoss(x0Hat, zb, t);
        var total = denoise;
        var result = new Dictionary<string, double>();
        if (_drift is not null)
        {
            // w from the global batch's timesteps: the ranks' mean of λ·w·L_drift is then the global batch's value.
            var d = _drift.ComputeWeighted(layout.ToFramesFirst(x0Hat), z0, _drift.WeightAt(tAll, _levels));
            total = total.add(d.Total, Sc(1));
            result["drift"] = d.RelL2.item<float>();
            result["drift_weight"] = d.Weight.item<float>();
        }
        if (_prior is not null)
        {
            _prior.train();
            var pooled = MotionPrior.PoolPrompt(embeds);                              // plain mean over all tokens
            // Per step (exact resume); drawn for the global batch and sliced, so any number of ranks draws the same.
            // (step × 64 is the former per-rank formula at rank 0: single-process runs draw what they always drew.)
            using var seeded = new SeededMotionPriorDraws(StepRandom.PredictorDrawSeed(_plan.Batch.Seed, step, StepRandom.JointPredictorStride));
            var draws = new ShardedMotionPriorDraws(seeded, shard, Math.Max(1, z0.shape[1] - 1));
            var p = new MotionPriorLoss(_lossOptions, draws).Compute(_prior, z0, pooled, _levels);
            total = total.add(p.Loss, Sc(1));
            result["prior"] = p.Loss.item<float>();
            result["prior_cos"] = p.CosSimMean.item<float>();
        }
        (scale == 1 ? total : total * Sc(scale)).backward();
        result["loss"] = total.item<float>();
        result["denoise"] = denoise.item<float>();
        return result;
    }
}
