using LaMo.Data;
using LaMo.Diffusion;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>The training step through the backbone seam logs the numbers the former CogVideoX-typed step computed.</summary>
[Collection("Torch")]
public sealed class BackboneTrainingTaskSeamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-seam-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Losses_EqualTheFormerCogVideoXStep_Bitwise(int step)
    {
        string cachePath = RelyKit.SyntheticCache(_dir, clips: 6);
        using var cache = LatentCache.Open(cachePath);
        using var empty = LatentCache.LoadEmptyPrompt(cachePath);
        manual_seed(7);
        using var transformer = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B);
        using var prior = new MotionPrior(MotionPriorConfig.Tiny with { InChannels = 16 });
        using (no_grad()) foreach (var p in prior.parameters()) p.normal_(0, 0.3);
        var o = new BackboneTrainingOptions
        {
            Cache = cachePath, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            BatchSize = 4, Seed = 5, TextDropout = 0.5, DriftLoss = true, Predictor = true, PredictorConfig = "tiny",
        };
        var expected = FormerStep(o, cache, empty, transformer, scheduler, prior, step);
        var actual = new BackboneTrainingTask(BackboneTrainingPlan.Resolve(o), cache, empty, transformer, scheduler, null, prior).ForwardBackward(step);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, v) in expected) Assert.True(v == actual[k], $"{k}: {v:R} before, {actual[k]:R} through the seam");
        Assert.True(expected["drift"] > 0 && expected["prior"] > 0);
    }

    // The step as BackboneTrainingTask wrote it before the seam (single rank, one pass), forward only.
    private static Dictionary<string, double> FormerStep(BackboneTrainingOptions o, LatentCache cache, Tensor emptyPrompt,
        CogVideoXTransformer3DModel transformer, IScheduler scheduler, MotionPrior prior, int step)
    {
        using var scope = NewDisposeScope();
        var alphas = tensor(scheduler.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32);
        var rope = CogVideoXRotaryEmbedding.ForLatentGrid(transformer.Config, (int)cache.LatentShape[2], (int)cache.LatentShape[3], (int)cache.LatentShape[0]);
        var drift = new MotionDriftLoss(MotionDriftLossOptions.Default);   // the options' defaults (λ 0.4, τ 2)
        var shard = DataShard.Single;
        transformer.train();
        using var g = StepRandom.For(o.Seed, step);
        long bAll = o.BatchSize;
        var (z0, embeds, _) = cache.DrawShardBatch(g, o.BatchSize, shard);
        var drop = rand([bAll], generator: g).lt(o.TextDropout).reshape(bAll, 1, 1);
        var t = randint(0L, (long)scheduler.Config.NumTrainTimesteps, new long[] { bAll }, generator: g);
        var noise = randn([bAll, .. cache.LatentShape], generator: g);
        var text = where(drop, emptyPrompt.to_type(ScalarType.Float32).unsqueeze(0).expand_as(embeds), embeds);
        var xt = scheduler.AddNoise(z0, noise, t);
        var v = transformer.forward(xt, text, t, rope).to_type(ScalarType.Float32);
        var abar = alphas.index_select(0, t);
        var x0Hat = DiffusionMath.PredictX0FromV(v, xt, abar);
        var denoise = DenoisingLoss.VPredictionX0(x0Hat, z0, abar);
        var d = drift.ComputeWeighted(x0Hat, z0, drift.WeightFromTimesteps(t));
        prior.train();
        using var seeded = new SeededMotionPriorDraws(StepRandom.PredictorDrawSeed(o.Seed, step, StepRandom.JointPredictorStride));
        var draws = new ShardedMotionPriorDraws(seeded, shard, Math.Max(1, z0.shape[1] - 1));
        var p = new MotionPriorLoss(MotionPriorLossOptions.Default, draws).Compute(prior, z0, MotionPrior.PoolPrompt(embeds), alphas);
        var total = denoise + d.Total + p.Loss;
        return new Dictionary<string, double>
        {
            ["drift"] = d.RelL2.item<float>(), ["drift_weight"] = d.Weight.item<float>(), ["prior"] = p.Loss.item<float>(),
            ["prior_cos"] = p.CosSimMean.item<float>(), ["loss"] = total.item<float>(), ["denoise"] = denoise.item<float>(),
        };
    }
}
