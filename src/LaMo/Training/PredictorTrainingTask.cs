using LaMo.Data;
using LaMo.Diffusion.Backbones;
using LaMo.Motion;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>L_φ on cached clean latents with the backbone frozen (cheap: no transformer call).</summary>
/// <remarks>Data-parallel: the step's global batch and all of L_φ's draws are a pure function of (seed, step, item);
/// each rank loads and trains only its <see cref="DataShard"/> of it. L_φ's terms are plain means over equally sized
/// shards, so the ranks' mean loss and gradient are the global batch's.</remarks>
public sealed class PredictorTrainingTask : ITrainingTask
{
    private readonly PredictorTrainingPlan _plan;
    private readonly LatentCache _cache;
    private readonly MotionPrior _prior;
    private readonly MotionPriorLossOptions _lossOptions;
    private readonly INoiseLevels _noiseLevels;
    private readonly DataShard _shard;

    /// <summary>Creates the task; the augmentation imitates the noise of the plan's schedule (its ᾱ table, or a flow
    /// schedule's σ).</summary>
    /// <param name="shard">This rank's part of every global batch (<see cref="DataShard.Single"/> when null).</param>
    /// <exception cref="ArgumentException">The ranks do not divide the batch size, or the cache does not fit the predictor.</exception>
    public PredictorTrainingTask(PredictorTrainingPlan plan, LatentCache cache, MotionPrior prior, DataShard? shard = null)
        : this(plan, cache, prior, plan.Flow is { } flow ? (INoiseLevels)flow.Levels()
            : AlphaCumprodNoiseLevels.FromTable(Diffusion.Schedulers.NoiseSchedule.FromConfig(plan.Scheduler!).AlphasCumprod), shard)
    {
    }

    /// <summary>Creates the task; <paramref name="noiseLevels"/> is the backbone's training noise schedule, whose noise
    /// std the augmentation imitates (borrowed).</summary>
    /// <param name="shard">This rank's part of every global batch (<see cref="DataShard.Single"/> when null).</param>
    /// <exception cref="ArgumentException">The ranks do not divide the batch size, or the cache does not fit the predictor.</exception>
    public PredictorTrainingTask(PredictorTrainingPlan plan, LatentCache cache, MotionPrior prior, INoiseLevels noiseLevels,
        DataShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(noiseLevels);
        _plan = plan; _cache = cache; _prior = prior;
        _shard = shard ?? DataShard.Single;
        _shard.MicroShards(plan.Batch.BatchSize, plan.Batch.MicroBatchSize);   // validates that ranks and micro batches divide the batch
        if (cache.LatentShape[1] != prior.Config.InChannels)
            throw new ArgumentException($"cache latents have {cache.LatentShape[1]} channels; the predictor expects {prior.Config.InChannels}", nameof(cache));
        _lossOptions = plan.Loss;
        _noiseLevels = noiseLevels;
        SavedModules = new Dictionary<string, nn.Module> { ["predictor"] = prior };
        var o = plan.Optimizer;
        Groups = [new ScheduledGroup(new OptimizerGroup("predictor", ParamGroups.Trainable(prior), o.WeightDecay, o.MaxGradNorm),
            o.LearningRate, o.WarmupSteps, o.Schedule)];
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <inheritdoc />
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ForwardBackward(int step) =>
        MicroBatching.Accumulate(_shard.MicroShards(_plan.Batch.BatchSize, _plan.Batch.MicroBatchSize), (shard, scale) => ForwardBackward(step, shard, scale));

    private Dictionary<string, double> ForwardBackward(int step, DataShard shard, double scale)
    {
        _prior.train();
        using var g = StepRandom.For(_plan.Batch.Seed, step);
        var (z0Cpu, embedsCpu, _) = _cache.DrawShardBatch(g, _plan.Batch.BatchSize, shard);   // this rank's clips only
        var device = _prior.parameters().First().device;                                       // the cache is read on the CPU
        var (z0, embeds) = (z0Cpu.to(device), embedsCpu.to(device));
        // Draws seeded per step (not one stream), so a resumed run repeats the uninterrupted one exactly; made for the
        // global batch and sliced, so they do not depend on the number of ranks.
        using var seeded = new SeededMotionPriorDraws(StepRandom.PredictorDrawSeed(_plan.Batch.Seed, step, StepRandom.PredictorOnlyStride));
        var draws = new ShardedMotionPriorDraws(seeded, shard, Math.Max(1, z0.shape[1] - 1));
        var r = new MotionPriorLoss(_lossOptions, draws).Compute(_prior, z0, MotionPrior.PoolPrompt(embeds), _noiseLevels);
        (scale == 1 ? r.Loss : r.Loss * Sc(scale)).backward();
        return new Dictionary<string, double>
        {
            ["loss"] = r.Loss.item<float>(), ["mse"] = r.Mse.item<float>(), ["cos_sim"] = r.CosSimMean.item<float>(),
        };
    }
}
