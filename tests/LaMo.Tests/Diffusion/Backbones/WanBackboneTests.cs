using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.Wan;
using LaMo.Motion;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Backbones;

/// <summary>Wan behind the backbone seam: the flow formulas bit for bit, the v-step ⇔ x̂₀-step identity, a float64
/// finite-difference check of the loss through x̂₀, and a zero-output model leaving everything where it is.</summary>
[Collection("Torch")]
public sealed class WanBackboneTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private static WanTransformer3DModel Tiny()
    {
        manual_seed(3);
        return new WanTransformer3DModel(WanTransformerPresets.Tiny with { InChannels = 4, OutChannels = 4 });
    }

    // σ·N for a spread of training-table entries (σ from ≈ 1 down to the table's smallest).
    private static Tensor Timesteps(WanBackbone b)
    {
        var table = b.FlowLevels.TrainSigmas;
        return tensor(new[] { 0, 1, 250, 500, 900, table.Count - 1 }.Select(i => table[i] * 1000f).ToArray());
    }

    [Fact]
    public void PredictX0_AddNoise_AreTheFlowFormulas_Bitwise_AndTheLayoutIsChannelsFirst()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        manual_seed(11);
        var t = Timesteps(backbone);
        var sigma = t / Sc(1000f);
        var (v, xt, x0, noise) = (randn([6, 4, 3, 4, 4]), randn([6, 4, 3, 4, 4]), randn([6, 4, 3, 4, 4]), randn([6, 4, 3, 4, 4]));
        Assert.True(Same(FlowMath.PredictX0FromVelocity(v, xt, sigma), backbone.PredictX0(v, xt, t)));
        Assert.True(Same(FlowMath.AddNoise(x0, noise, sigma), backbone.AddNoise(x0, noise, t)));
        Assert.True(allclose(backbone.PredictionFromX0(backbone.PredictX0(v, xt, t), xt, t), v, 1e-3, 1e-3));
        Assert.Equal(LatentLayout.ChannelsFirst, backbone.Layout);
        Assert.Same(transformer, backbone.Denoiser);
        Assert.True(Same(sigma, backbone.NoiseLevels.Sigma(t)));
        Assert.True(Same(sigma, backbone.NoiseLevels.NoiseStd(t)));
        var drift = new MotionDriftLoss();
        Assert.True(Same(MotionDriftLoss.Weight(sigma), drift.WeightAt(t, backbone.NoiseLevels)));
    }

    [Fact]
    public void Predict_EqualsTheTransformerCall_WithFloatTimesteps()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        manual_seed(13);
        var (xt, text) = (randn([2, 4, 2, 4, 4]), randn([2, 7, 32]));
        var t = tensor(new[] { 997.5f, 120.25f });
        using var noGrad = no_grad();
        Assert.True(Same(transformer.forward(xt, t, text), backbone.Predict(xt, text, t)));
        Assert.Throws<ArgumentException>(() => backbone.Predict(randn([2, 4, 4, 4]), text, t));
    }

    [Fact]
    public void DenoisingLoss_IsTheVelocityMse_AgainstEpsilonMinusX0()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        manual_seed(14);
        var t = Timesteps(backbone);
        var (x0, noise, vHat) = (randn([6, 4, 3, 4, 4], ScalarType.Float64), randn([6, 4, 3, 4, 4], ScalarType.Float64), randn([6, 4, 3, 4, 4], ScalarType.Float64));
        var xt = backbone.AddNoise(x0, noise, t);
        var loss = backbone.DenoisingLoss(backbone.PredictX0(vHat, xt, t), x0, t).item<double>();
        var direct = vHat.add(FlowMath.VelocityTarget(x0, noise), Sc(-1)).pow(Sc(2)).mean().item<double>();
        Assert.Equal(direct, loss, 1e-9 * direct);
        // float32 through x̂₀ stays close even at the table's smallest σ (≈ 0.003, where 1/σ amplifies rounding).
        var (x32, n32, v32) = (x0.to_type(ScalarType.Float32), noise.to_type(ScalarType.Float32), vHat.to_type(ScalarType.Float32));
        var xt32 = backbone.AddNoise(x32, n32, t);
        var loss32 = backbone.DenoisingLoss(backbone.PredictX0(v32, xt32, t), x32, t).item<float>();
        Assert.True(Math.Abs(loss32 - direct) < 1e-3 * direct, $"float32 {loss32} vs {direct}");
    }

    [Fact]
    public void VStepOfLambda_IsAnX0StepOfLambdaSigmaSquared_PerSample()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        manual_seed(15);
        var t = Timesteps(backbone);
        var (xt, v, target) = (randn([6, 4, 3, 4, 4], ScalarType.Float64), randn([6, 4, 3, 4, 4], ScalarType.Float64), randn([6, 4, 3, 4, 4], ScalarType.Float64));
        Func<Tensor, Tensor> loss = x0 => x0.add(target, Sc(-1)).pow(Sc(3)).abs().sum();   // any smooth non-quadratic L(x̂₀)
        const double lambda = 0.7;
        Tensor gv, gx;
        using (enable_grad())
        {
            var vLeaf = v.clone().requires_grad_(true);
            gv = autograd.grad([loss(backbone.PredictX0(vLeaf, xt, t))], [vLeaf])[0];
            var x0Leaf = backbone.PredictX0(v, xt, t).requires_grad_(true);
            gx = autograd.grad([loss(x0Leaf)], [x0Leaf])[0];
        }
        var x0 = backbone.PredictX0(v, xt, t);
        var afterVStep = backbone.PredictX0(v.add(gv, Sc(-lambda)), xt, t);
        for (int b = 0; b < 6; b++)
        {
            float sigma = t[b].item<float>() / 1000f;
            double step = new FlowPredictionStep(sigma).X0StepOf(lambda);
            Assert.Equal(lambda * sigma * sigma, step, 12);
            var expected = x0[b].add(gx[b], Sc(-step));
            Assert.True(allclose(afterVStep[b], expected, 1e-10, 1e-12), $"sample {b} (σ = {sigma}): max |Δ| {afterVStep[b].add(expected, Sc(-1)).abs().max().item<double>()}");
        }
    }

    [Fact]
    public void LossGradientThroughX0_MatchesFiniteDifferences_Float64()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 5.0);
        manual_seed(16);
        var t = tensor(new[] { 900f, 400f, 37.5f });
        var (x0, xt) = (randn([3, 4, 2, 2, 2], ScalarType.Float64), randn([3, 4, 2, 2, 2], ScalarType.Float64));
        var v = randn([3, 4, 2, 2, 2], ScalarType.Float64).requires_grad_(true);
        Tensor grad;
        using (enable_grad()) grad = autograd.grad([backbone.DenoisingLoss(backbone.PredictX0(v, xt, t), x0, t)], [v])[0].flatten();
        var flat = v.detach().flatten();
        foreach (long i in new long[] { 0, 5, 37, 64, 95 })
        {
            double fd = FiniteDifference.Central(flat, i, () => backbone.DenoisingLoss(backbone.PredictX0(flat.view(v.shape), xt, t), x0, t).item<double>());
            Assert.Equal(fd, grad[i].item<double>(), 1e-6);
        }
    }

    [Fact]
    public void ZeroOutputModel_ChangesNothing_X0IsXt_AndASchedulerStepStaysPut()
    {
        using var scope = NewDisposeScope();
        using var transformer = Tiny();
        var backbone = WanBackbone.FromShift(transformer, 3.0);
        using (no_grad()) foreach (var p in transformer.named_parameters().Where(p => p.name.StartsWith("proj_out", StringComparison.Ordinal))) p.parameter.zero_();
        manual_seed(17);
        var (xt, text) = (randn([2, 4, 2, 4, 4]), randn([2, 7, 32]));
        var t = tensor(new[] { 999f, 500f });
        Tensor v;
        using (no_grad()) v = backbone.Predict(xt, text, t);
        Assert.Equal(0f, v.abs().max().item<float>());
        Assert.True(Same(xt, backbone.PredictX0(v, xt, t)));
        Assert.Equal(0f, backbone.PredictionFromX0(xt, xt, t).abs().max().item<float>());
        using var euler = new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 3.0 });
        euler.SetTimesteps(4);
        euler.SetBeginIndex(0);
        Assert.True(Same(xt, euler.Step(v, euler.Timesteps[0], xt).PrevSample));
    }
}
