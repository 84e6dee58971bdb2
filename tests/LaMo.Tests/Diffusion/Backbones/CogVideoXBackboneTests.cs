using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Backbones;

/// <summary>CogVideoX behind the backbone seam gives the numbers the call sites computed before, bit for bit.</summary>
[Collection("Torch")]
public sealed class CogVideoXBackboneTests
{
    private static readonly long[] Timesteps = [0, 1, 250, 500, 998, 999];

    private static Tensor Table32(IScheduler s) => tensor(s.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32);

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private static (CogVideoXTransformer3DModel, IScheduler) Tiny(bool rope = true)
    {
        manual_seed(3);
        return (new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny with { UseRotaryPositionalEmbeddings = rope }),
            SchedulerFactory.Create(SchedulerConfig.CogVideoX2B));
    }

    [Fact]
    public void PredictX0_AddNoise_DenoisingLoss_EqualTheFormerFormulas_Bitwise()
    {
        using var scope = NewDisposeScope();
        var (transformer, scheduler) = Tiny();
        using var _ = transformer; using var __ = scheduler;
        using var backbone = new CogVideoXBackbone(transformer, scheduler);
        manual_seed(11);
        var t = tensor(Timesteps);
        var (v, xt, x0, noise) = (randn([6, 3, 16, 4, 4]), randn([6, 3, 16, 4, 4]), randn([6, 3, 16, 4, 4]), randn([6, 3, 16, 4, 4]));
        var abar = Table32(scheduler).index_select(0, t);
        Assert.True(Same(DiffusionMath.PredictX0FromV(v, xt, abar), backbone.PredictX0(v, xt, t)));
        Assert.True(Same(scheduler.AddNoise(x0, noise, t), backbone.AddNoise(x0, noise, t)));
        Assert.True(Same(DenoisingLoss.VPredictionX0(v, x0, abar), backbone.DenoisingLoss(v, x0, t)));
        Assert.Equal(LatentLayout.FramesFirst, backbone.Layout);
        Assert.Same(transformer, backbone.Denoiser);
    }

    [Fact]
    public void PredictionFromX0_InvertsPredictX0()
    {
        using var scope = NewDisposeScope();
        var (transformer, scheduler) = Tiny();
        using var _ = transformer; using var __ = scheduler;
        using var backbone = new CogVideoXBackbone(transformer, scheduler);
        manual_seed(12);
        var t = tensor(Timesteps);
        var (v, xt) = (randn([6, 3, 16, 4, 4]), randn([6, 3, 16, 4, 4]));
        var x0 = backbone.PredictX0(v, xt, t);
        var back = backbone.PredictionFromX0(x0, xt, t);
        // √(1−ᾱ₀) ≈ 0.03 amplifies x̂₀'s float32 rounding ~30×.
        Assert.True(allclose(back, v, 1e-4, 1e-4), $"max |Δ| {(back - v).abs().max().item<float>()}");
        Assert.True(allclose(backbone.PredictX0(back, xt, t), x0, 1e-5, 1e-5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Predict_EqualsTheTransformerCall_WithTablesBuiltOncePerGrid(bool rope)
    {
        using var scope = NewDisposeScope();
        var (transformer, scheduler) = Tiny(rope);
        using var _ = transformer; using var __ = scheduler;
        using var backbone = new CogVideoXBackbone(transformer, scheduler, (3, 4, 4));
        manual_seed(13);
        var text = randn(2, 16, 32);
        var t = tensor(new long[] { 10, 900 });
        var grids = rope ? new[] { (3, 4, 4), (2, 6, 4), (3, 4, 4) } : new[] { (3, 4, 4) };   // a new grid rebuilds the RoPE tables
        foreach (var (f, h, w) in grids)
        {
            var xt = randn([2, f, 16, h, w]);
            var tables = rope ? CogVideoXRotaryEmbedding.ForLatentGrid(transformer.Config, h, w, f) : null;
            using var noGrad = no_grad();
            var expected = transformer.forward(xt, text, t, tables);
            Assert.True(Same(expected, backbone.Predict(xt, text, t)), $"grid {f}×{h}×{w}");
        }
    }

    [Fact]
    public void NoiseLevels_AreTOverNAndRootOneMinusAlphaBar_AndGiveTheFormerDriftWeight()
    {
        using var scope = NewDisposeScope();
        var (transformer, scheduler) = Tiny();
        using var _ = transformer; using var __ = scheduler;
        using var backbone = new CogVideoXBackbone(transformer, scheduler);
        var levels = backbone.NoiseLevels;
        var t = tensor(Timesteps);
        Assert.Equal(1000, levels.NumTrainTimesteps);
        Assert.True(Same(t.to_type(ScalarType.Float32) / 1000f, levels.Sigma(t)));
        Assert.True(Same((1.0 - Table32(scheduler).index_select(0, t)).sqrt(), levels.NoiseStd(t)));
        var drift = new MotionDriftLoss();
        Assert.True(Same(drift.WeightFromTimesteps(t), drift.WeightAt(t, levels)));
        using (var g1 = new Generator(5)) using (var g2 = new Generator(5))
            Assert.True(Same(randint(0L, 1000L, new long[] { 7 }, generator: g1), levels.SampleTimesteps(7, g2)));
    }

    [Fact]
    public void VPredictionStep_MatchesDiffusionMath_Inverts_AndMapsX0EditsToOutputEdits()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var (v, xt, d) = (randn([2, 3, 4, 5, 5]), randn([2, 3, 4, 5, 5]), randn([2, 3, 4, 5, 5]));
        var step = new VPredictionStep(0.6);
        var a = tensor(0.6f);
        Assert.True(Same(DiffusionMath.PredictX0FromV(v, xt, a), step.PredictX0(v, xt)));
        var x0 = step.PredictX0(v, xt);
        Assert.True(allclose(step.PredictionFromX0(x0, xt), v, 1e-5, 1e-5));
        var viaInverse = step.PredictionFromX0(x0 + d, xt) - v;
        Assert.True(allclose(step.PredictionChange(d), viaInverse, 1e-5, 1e-5));
        Assert.True(step.CanInvert);
        Assert.False(new VPredictionStep(1.0).CanInvert);
    }

    [Fact]
    public void LatentLayouts_FramesFirstIsIdentity_ChannelsFirstSwapsAxesOneAndTwo()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3, 4, 5, 6]);
        Assert.Same(x, LatentLayout.FramesFirst.ToFramesFirst(x));
        Assert.Same(x, LatentLayout.FramesFirst.FromFramesFirst(x));
        var c = LatentLayout.ChannelsFirst.FromFramesFirst(x);
        Assert.Equal(new long[] { 2, 4, 3, 5, 6 }, c.shape);
        Assert.Equal(2, LatentLayout.ChannelsFirst.FrameAxis());
        Assert.Equal(1, LatentLayout.FramesFirst.FrameAxis());
        Assert.True(Same(x, LatentLayout.ChannelsFirst.ToFramesFirst(c)));
        Assert.Throws<ArgumentException>(() => LatentLayout.ChannelsFirst.ToFramesFirst(randn(2, 3)));
    }
}
