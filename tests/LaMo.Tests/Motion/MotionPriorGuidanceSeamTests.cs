using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Motion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

/// <summary>Motion Prior Guidance through the backbone seam (the context's step prediction and layout) gives the numbers
/// of its former v-prediction formulas.</summary>
[Collection("Torch")]
public sealed class MotionPriorGuidanceSeamTests
{
    [Theory]
    [InlineData(MotionPriorGuidanceMode.VelocityGradient)]
    [InlineData(MotionPriorGuidanceMode.DirectLatentEdit)]
    public void Apply_EqualsTheFormerVPredictionFormula_Bitwise(MotionPriorGuidanceMode mode)
    {
        using var scope = NewDisposeScope();
        var (prior, ctx) = Setup();
        var guidance = new MotionPriorGuidance(prior, new(Mode: mode));
        var former = Former(prior, ctx, mode, guidance.Options.Lambda);
        var implicitStep = guidance.Apply(ctx);
        var explicitStep = guidance.Apply(ctx with { Prediction = new VPredictionStep(ctx.AlphaCumprod) });
        Assert.True((implicitStep - ctx.ModelOutput).abs().max().item<float>() > 1e-6);
        Assert.True(implicitStep.eq(former).all().item<bool>(), $"max |Δ| {(implicitStep - former).abs().max().item<float>()}");
        Assert.True(explicitStep.eq(former).all().item<bool>());
    }

    [Fact]
    public void ChannelsFirstContext_GivesTheFramesFirstResult_Permuted()
    {
        using var scope = NewDisposeScope();
        var (prior, ctx) = Setup();
        var guidance = new MotionPriorGuidance(prior);
        var framesFirst = guidance.Apply(ctx);
        var cf = LatentLayout.ChannelsFirst;
        var permuted = ctx with
        {
            Latents = cf.FromFramesFirst(ctx.Latents).contiguous(), ModelOutput = cf.FromFramesFirst(ctx.ModelOutput).contiguous(), Layout = cf,
        };
        var channelsFirst = guidance.Apply(permuted);
        Assert.Equal(permuted.ModelOutput.shape, channelsFirst.shape);
        Assert.True(allclose(cf.ToFramesFirst(channelsFirst), framesFirst, 1e-6, 1e-6));
    }

    [Fact]
    public void Context_DefaultsToVPredictionAtItsAlphaBar()
    {
        using var scope = NewDisposeScope();
        var (_, ctx) = Setup();
        var step = Assert.IsType<VPredictionStep>(ctx.StepPrediction);
        Assert.Equal((float)ctx.AlphaCumprod, step.AlphaCumprod);
        Assert.Equal(LatentLayout.FramesFirst, ctx.Layout);
    }

    // Motion Prior Guidance as written before the seam.
    private static Tensor Former(MotionPrior prior, GuidanceContext ctx, MotionPriorGuidanceMode mode, double lambda)
    {
        var v = ctx.ModelOutput;
        using var grad = enable_grad();
        var a = tensor((float)ctx.AlphaCumprod, ScalarType.Float32, v.device);
        var xt = ctx.Latents.detach().to_type(ScalarType.Float32);
        var prompt = MotionPrior.PoolPrompt(ctx.PromptEmbeds!.detach().to_type(ScalarType.Float32));
        if (mode == MotionPriorGuidanceMode.VelocityGradient)
        {
            var vLeaf = v.detach().to_type(ScalarType.Float32).clone().requires_grad_(true);
            var x0 = DiffusionMath.PredictX0FromV(vLeaf, xt, a);
            var gv = autograd.grad([GuideLoss(prior, x0, prompt)], [vLeaf])[0];
            return v - lambda * gv.to_type(v.dtype);
        }
        var x0Leaf = DiffusionMath.PredictX0FromV(v.detach().to_type(ScalarType.Float32), xt, a).requires_grad_(true);
        var gx = autograd.grad([GuideLoss(prior, x0Leaf, prompt)], [x0Leaf])[0];
        return v + (lambda * gx / (1.0 - a).sqrt()).to_type(v.dtype);
    }

    private static Tensor GuideLoss(MotionPrior prior, Tensor x0, Tensor prompt)
    {
        long c = x0.shape[2], h = x0.shape[3], w = x0.shape[4];
        var cur = x0[.., ..^1].reshape(-1, c, h, w);
        var next = x0[.., 1..].reshape(-1, c, h, w);
        var delta = prior.forward(cur, prompt, null).to_type(cur.dtype);
        return nn.functional.mse_loss(cur + delta, next);
    }

    private static (MotionPrior, GuidanceContext) Setup()
    {
        manual_seed(21);
        var prior = MotionPriorLossTests.RandomPrior();
        Assert.False(prior.Config.UsePrevDelta);
        var latents = randn([2, 4, 4, 5, 5]);
        var v = randn([2, 4, 4, 5, 5]);
        return (prior, new GuidanceContext(30, 50, 399, 0.6, latents, v, randn([2, 6, 32])));
    }
}
