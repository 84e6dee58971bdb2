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
    private readonly PredictorTrainingOptions _o;
    private readonly LatentCache _cache;
    private readonly MotionPrior _prior;
    private readonly MotionPriorLossOptions _lossOptions;
    private readonly INoiseLevels _noiseLevels;
    private readonly DataShard _shard;

    /// <summary>Creates the task; <paramref name="alphasCumprod"/> is the training ᾱ table used for the augmentation.</summary>
    /// <param name="shard">This rank's part of every global batch (<see cref="DataShard.Single"/> when null).</param>
    /// <exception cref="ArgumentException">The ranks do not divide the batch size, or the cache does not fit the predictor.</exception>
    public PredictorTrainingTask(PredictorTrainingOptions options, LatentCache cache, MotionPrior prior, IReadOnlyList<double> alphasCumprod,
        DataShard? shard = null) : this(options, cache, prior, AlphaCumprodNoiseLevels.FromTable(alphasCumprod), shard)
    {
    }

    /// <summary>Creates the task; <paramref name="noiseLevels"/> is the backbone's training noise schedule, whose noise
    /// std the augmentation imitates (borrowed).</summary>
    /// <param name="shard">This rank's part of every global batch (<see cref="DataShard.Single"/> when null).</param>
    /// <exception cref="ArgumentException">The ranks do not divide the batch size, or the cache does not fit the predictor.</exception>
    public PredictorTrainingTask(PredictorTrainingOptions options, LatentCache cache, MotionPrior prior, INoiseLevels noiseLevels,
        DataShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(noiseLevels);
        _o = options.Validate(); _cache = cache; _prior = prior;
        _shard = shard ?? DataShard.Single;
        _shard.MicroShards(options.BatchSize, options.MicroBatchSize);   // validates that ranks and micro batches divide the batch
        if (cache.LatentShape[1] != prior.Config.InChannels)
            throw new ArgumentException($"cache latents have {cache.LatentShape[1]} channels; the predictor expects {prior.Config.InChannels}", nameof(cache));
        _lossOptions = new MotionPriorLossOptions(options.CosineWeight, options.NoiseAugProb, options.NoiseAugScale, options.PromptDropout);
        _noiseLevels = noiseLevels;
        SavedModules = new Dictionary<string, nn.Module> { ["predictor"] = prior };
        Groups = [new ScheduledGroup(new OptimizerGroup("predictor", ParamGroups.Trainable(prior), 0.0, options.MaxGradNorm),
            options.LearningRate, options.WarmupSteps, LrScheduleKind.Cosine)];
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <inheritdoc />
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ForwardBackward(int step) =>
        MicroBatching.Accumulate(_shard.MicroShards(_o.BatchSize, _o.MicroBatchSize), (shard, scale) => ForwardBackward(step, shard, scale));

    private Dictionary<string, double> ForwardBackward(int step, DataShard shard, double scale)
    {
        _prior.train();
        using var g = StepRandom.For(_o.Seed, step);
        var (z0, embeds, _) = _cache.DrawShardBatch(g, _o.BatchSize, shard);   // this rank's clips only
        // Draws seeded per step (not one stream), so a resumed run repeats the uninterrupted one exactly; made for the
        // global batch and sliced, so they do not depend on the number of ranks.
        using var seeded = new SeededMotionPriorDraws(StepRandom.PredictorDrawSeed(_o.Seed, step, StepRandom.PredictorOnlyStride));
        var draws = new ShardedMotionPriorDraws(seeded, shard, Math.Max(1, z0.shape[1] - 1));
        var r = new MotionPriorLoss(_lossOptions, draws).Compute(_prior, z0, MotionPrior.PoolPrompt(embeds), _noiseLevels);
        (scale == 1 ? r.Loss : r.Loss * Sc(scale)).backward();
        return new Dictionary<string, double>
        {
            ["loss"] = r.Loss.item<float>(), ["mse"] = r.Mse.item<float>(), ["cos_sim"] = r.CosSimMean.item<float>(),
        };
    }
}
