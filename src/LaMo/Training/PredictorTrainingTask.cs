using LaMo.Data;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>L_φ on cached clean latents with the backbone frozen (cheap: no transformer call).</summary>
public sealed class PredictorTrainingTask : ITrainingTask
{
    private readonly PredictorTrainingOptions _o;
    private readonly LatentCache _cache;
    private readonly MotionPrior _prior;
    private readonly MotionPriorLossOptions _lossOptions;
    private readonly Tensor _alphasCumprod;

    /// <summary>Creates the task; <paramref name="alphasCumprod"/> is the training ᾱ table used for the augmentation.</summary>
    public PredictorTrainingTask(PredictorTrainingOptions options, LatentCache cache, MotionPrior prior, IReadOnlyList<double> alphasCumprod)
    {
        _o = options.Validate(); _cache = cache; _prior = prior;
        if (cache[0].Latents.shape[1] != prior.Config.InChannels)
            throw new ArgumentException($"cache latents have {cache[0].Latents.shape[1]} channels; the predictor expects {prior.Config.InChannels}", nameof(cache));
        _lossOptions = new MotionPriorLossOptions(options.CosineWeight, options.NoiseAugProb, options.NoiseAugScale, options.PromptDropout);
        _alphasCumprod = tensor(alphasCumprod.ToArray()).to_type(ScalarType.Float32).DetachFromDisposeScope();
        SavedModules = new Dictionary<string, nn.Module> { ["predictor"] = prior };
        Groups = [new ScheduledGroup(new OptimizerGroup("predictor", ParamGroups.Trainable(prior), 0.0, options.MaxGradNorm),
            options.LearningRate, options.WarmupSteps, LrScheduleKind.Cosine)];
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <inheritdoc />
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ForwardBackward(int step)
    {
        _prior.train();
        using var g = StepRandom.For(_o.Seed, step);
        var indices = randint(0L, (long)_cache.Count, new long[] { _o.BatchSize }, generator: g).data<long>().Select(i => (int)i).ToList();
        var (z0, embeds, _) = _cache.Batch(indices);
        // Draws seeded per step (not one stream), so a resumed run repeats the uninterrupted one exactly.
        using var draws = new SeededMotionPriorDraws(((long)_o.Seed << 32) + step);
        var r = new MotionPriorLoss(_lossOptions, draws).Compute(_prior, z0, MotionPrior.PoolPrompt(embeds), _alphasCumprod);
        r.Loss.backward();
        return new Dictionary<string, double>
        {
            ["loss"] = r.Loss.item<float>(), ["mse"] = r.Mse.item<float>(), ["cos_sim"] = r.CosSimMean.item<float>(),
        };
    }
}
