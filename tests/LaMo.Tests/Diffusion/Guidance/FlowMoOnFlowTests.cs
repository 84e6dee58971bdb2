using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Guidance;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Guidance;

/// <summary>FlowMo through the backbone seam: Wan's flow prediction (x̂₀ = x_t − σ·v) and its channels-first layout.</summary>
[Collection("Torch")]
public sealed class FlowMoOnFlowTests
{
    private const double Sigma = 0.6;

    // A smooth, differentiable stand-in for a backbone: v = tanh(x·W) + x·U, mixing channels and frames so that the
    // variance loss has a non-trivial gradient. Written for frames-first input [B, F, C, H, W].
    private sealed class ToyDenoiser(long seed) : IDisposable
    {
        private readonly Tensor _w = Fixed(seed, 0.5), _u = Fixed(seed + 1, 0.3);

        private static Tensor Fixed(long seed, double scale)
        {
            using var g = new Generator((ulong)seed);
            return randn([4, 4], generator: g).mul(Sc(scale)).DetachFromDisposeScope();
        }

        public Tensor FramesFirst(Tensor x)   // [B, F, C, H, W], C = 4
        {
            var xc = x.permute(0, 1, 3, 4, 2);                                             // channels last for the matmul
            return xc.matmul(_w).tanh().add(xc.matmul(_u), Sc(1)).permute(0, 1, 4, 2, 3);
        }

        public Tensor ChannelsFirst(Tensor x) => FramesFirst(x.transpose(1, 2)).transpose(1, 2);   // [B, C, F, H, W]

        public void Dispose() { _w.Dispose(); _u.Dispose(); }
    }

    private static GuidanceContext FlowContext(Tensor latents, Tensor v, Func<Tensor, Tensor> denoiser, LatentLayout layout) =>
        new(2, 20, 600, double.NaN, latents, v, null, denoiser, new FlowPredictionStep(Sigma), layout);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Apply_OnFlow_ReturnedVelocity_HasTheCleanLatentEstimateOfTheEditedLatent(bool repredict)
    {
        using var scope = NewDisposeScope();
        using var net = new ToyDenoiser(11);
        manual_seed(5);
        var x = randn([1, 4, 5, 4, 4]);                                                // channels-first, as Wan
        Tensor v; using (no_grad()) v = net.ChannelsFirst(x);
        var g = new FlowMoGuidance(new FlowMoOptions { Repredict = repredict, Iterations = 2 });
        var ctx = FlowContext(x, v, net.ChannelsFirst, LatentLayout.ChannelsFirst);
        var guided = g.Apply(ctx);
        var edit = g.Optimize(ctx);
        var step = new FlowPredictionStep(Sigma);
        var expected = step.PredictX0(repredict ? edit.Velocity! : v, edit.Latents);   // what FlowMo's scheduler sees
        var actual = step.PredictX0(guided, x);                                        // what ours sees from x_t
        Assert.False(edit.Latents.allclose(x), "the edit must move the latent");
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {actual.sub(expected).abs().max().item<float>()}");
        // Closed form of the fold for flow: v′ = v − δ/σ (no re-prediction).
        if (!repredict)
        {
            var closed = v.sub(edit.Latents.sub(x).div(Sc((float)Sigma)));
            Assert.True(guided.allclose(closed, rtol: 1e-4, atol: 1e-5));
        }
    }

    [Fact]
    public void Optimize_IsLayoutInvariant_ChannelsFirstEditIsTheFramesFirstEditTransposed()
    {
        using var scope = NewDisposeScope();
        using var net = new ToyDenoiser(12);
        manual_seed(6);
        var xf = randn([2, 5, 4, 4, 4]);                                               // frames-first
        var xc = xf.transpose(1, 2).contiguous();
        var g = new FlowMoGuidance(new FlowMoOptions { Iterations = 3, PatchSize = 2 });
        Tensor vf, vc; using (no_grad()) { vf = net.FramesFirst(xf); vc = net.ChannelsFirst(xc); }
        var ef = g.Optimize(FlowContext(xf, vf, net.FramesFirst, LatentLayout.FramesFirst));
        var ec = g.Optimize(FlowContext(xc, vc, net.ChannelsFirst, LatentLayout.ChannelsFirst));
        Assert.True(ec.InitialLoss.allclose(ef.InitialLoss, rtol: 1e-5, atol: 1e-7));
        Assert.True(ec.Latents.transpose(1, 2).allclose(ef.Latents, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Optimize_OnFlow_SmallStep_LowersTheVarianceLossOfTheFlowCleanLatent()
    {
        using var scope = NewDisposeScope();
        using var net = new ToyDenoiser(13);
        manual_seed(7);
        var x = randn([1, 4, 5, 4, 4]);
        var options = new FlowMoOptions { UpdateRule = FlowMoUpdateRule.GradientDescent, LearningRate = 1e-3 };
        Tensor v; using (no_grad()) v = net.ChannelsFirst(x);
        var edit = new FlowMoGuidance(options).Optimize(FlowContext(x, v, net.ChannelsFirst, LatentLayout.ChannelsFirst));
        var step = new FlowPredictionStep(Sigma);
        double Loss(Tensor xt)
        {
            using var _ = no_grad();
            var x0 = LatentLayout.ChannelsFirst.ToFramesFirst(step.PredictX0(net.ChannelsFirst(xt), xt));
            return FlowMoGuidance.VarianceLoss(x0, options.PatchSize, options.Reduction).sum().item<float>();
        }
        Assert.Equal(Loss(x), edit.InitialLoss.sum().item<float>(), 5);
        Assert.True(Loss(edit.Latents) < Loss(x), "a small descent step must lower the loss");
    }

    [Fact]
    public void Apply_AtSigmaZero_RefusesBecauseTheCleanLatentNoLongerDependsOnTheVelocity()
    {
        using var scope = NewDisposeScope();
        using var net = new ToyDenoiser(14);
        var x = randn([1, 4, 5, 4, 4]);
        var ctx = new GuidanceContext(0, 20, 0, double.NaN, x, x.clone(), null, net.ChannelsFirst, new FlowPredictionStep(0), LatentLayout.ChannelsFirst);
        var e = Assert.Throws<InvalidOperationException>(() => new FlowMoGuidance().Apply(ctx));
        Assert.Contains("does not depend", e.Message);
    }
}
