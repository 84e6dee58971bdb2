using LaMo.Data;
using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Models.Wan;
using LaMo.Motion;
using LaMo.Training;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>The backbone training task trains a Wan transformer through the seam (<see cref="WanBackbone"/>): the step's
/// losses are the flow-matching ones computed independently in Wan's channels-first layout, and a few optimiser steps
/// lower the loss.</summary>
[Collection("Torch")]
public sealed class WanBackboneTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-wantrain-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    // The cache's latents are [3, 16, 4, 4] frames-first and its prompts [16, 32]: the tiny Wan preset fits them.
    private (LatentCache Cache, Tensor Empty, BackboneTrainingPlan Plan) Setup(bool drift)
    {
        string cachePath = RelyKit.SyntheticCache(_dir, clips: 6);
        var o = new BackboneTrainingOptions
        {
            Cache = cachePath, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            BatchSize = 4, Seed = 5, TextDropout = 0.25, DriftLoss = drift,
        };
        return (LatentCache.Open(cachePath), LatentCache.LoadEmptyPrompt(cachePath), BackboneTrainingPlan.Resolve(o));
    }

    [Fact]
    public void Step_IsTheFlowMatchingVelocityMse_AndTheDriftOnX0_ChannelsFirst()
    {
        var (cache, empty, plan) = Setup(drift: true);
        using var _ = cache; using var __ = empty;
        manual_seed(7);
        using var transformer = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        var actual = new BackboneTrainingTask(plan, cache, empty, backbone, null, null).ForwardBackward(2);

        // The same draws, written directly with the flow formulas.
        using var scope = NewDisposeScope();
        using var g = StepRandom.For(plan.Batch.Seed, 2);
        var (z0, embeds, _) = cache.DrawShardBatch(g, plan.Batch.BatchSize, DataShard.Single);        // [B, F, C, h, w]
        var drop = rand([4], generator: g).lt(Sc(plan.TextDropout)).reshape(4, 1, 1);
        var t = backbone.NoiseLevels.SampleTimesteps(4, g);
        var noise = randn([4, .. cache.LatentShape], generator: g);
        var text = where(drop, empty.to_type(ScalarType.Float32).unsqueeze(0).expand_as(embeds), embeds);
        var sigma = t / Sc(1000f);
        var (x0, eps) = (z0.permute(0, 2, 1, 3, 4), noise.permute(0, 2, 1, 3, 4));                       // [B, C, F, h, w]
        var xt = FlowMath.AddNoise(x0, eps, sigma);
        Tensor v;
        using (no_grad()) v = transformer.forward(xt, t, text);
        double denoise = v.add(FlowMath.VelocityTarget(x0, eps), Sc(-1)).pow(Sc(2)).mean().item<float>();
        var x0Hat = FlowMath.PredictX0FromVelocity(v, xt, sigma).permute(0, 2, 1, 3, 4);
        var d = new MotionDriftLoss(plan.Drift!.Loss).ComputeWeighted(x0Hat, z0, MotionDriftLoss.Weight(sigma));

        Assert.Equal(denoise, actual["denoise"], 1e-4 * denoise);
        Assert.Equal(d.RelL2.item<float>(), actual["drift"], 1e-4 * actual["drift"]);
        Assert.Equal(d.Weight.item<float>(), actual["drift_weight"], 1e-6);
        Assert.True(actual["drift"] > 0 && actual["drift_weight"] > 0);
    }

    [Fact]
    public void AFewSteps_LowerTheLoss_OnTheSameDraws()
    {
        var (cache, empty, plan) = Setup(drift: true);
        using var _ = cache; using var __ = empty;
        manual_seed(8);
        using var transformer = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        var task = new BackboneTrainingTask(plan, cache, empty, WanBackbone.FromShift(transformer, 3.0), null, null);
        var parameters = task.Groups.Single().Group.Parameters.Values.ToList();
        Assert.Equal(transformer.parameters().Count(), parameters.Count);
        using var adam = optim.Adam(parameters, lr: 3e-3);
        double before = 0, after = 0;
        for (int i = 0; i <= 12; i++)
        {
            adam.zero_grad();
            double loss = task.ForwardBackward(0)["loss"];                 // step 0's batch, timesteps and noise every time
            Assert.True(double.IsFinite(loss));
            if (i == 0) before = loss;
            if (i == 12) after = loss;
            adam.step();
        }
        Assert.True(after < 0.8 * before, $"loss {before} → {after}");
    }
}
