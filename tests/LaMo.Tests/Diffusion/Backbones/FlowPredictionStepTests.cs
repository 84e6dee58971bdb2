using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Backbones;

/// <summary>Flow prediction at one step: x̂₀ = x_t − σ·v̂, its inverse, and the guidance mapping ∂x̂₀/∂v̂ = −σ (a v-step
/// of λ is an x̂₀-step of λσ²), checked by identities and float64 finite differences.</summary>
[Collection("Torch")]
public sealed class FlowPredictionStepTests
{
    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().to_type(ScalarType.Float64).item<double>();

    // A smooth, non-quadratic stand-in for a guidance loss on x̂₀.
    private static Tensor Loss(Tensor x0) => (x0.sin() * x0 + (x0 * Sc(0.3)).pow(Sc(3.0))).sum();

    [Fact]
    public void PredictX0_AndInverse_RoundTrip_AndMatchFlowMath()
    {
        using var scope = NewDisposeScope();
        manual_seed(31);
        var v = randn([2, 3, 4, 4], dtype: ScalarType.Float64);
        var xt = randn([2, 3, 4, 4], dtype: ScalarType.Float64);
        var step = new FlowPredictionStep(0.7);
        var x0 = step.PredictX0(v, xt);
        Assert.True(MaxDiff(step.PredictionFromX0(x0, xt), v) < 1e-13);
        Assert.True(MaxDiff(x0, FlowMath.PredictX0FromVelocity(v, xt, tensor((double)step.Sigma))) == 0);
        var dx = randn([2, 3, 4, 4], dtype: ScalarType.Float64);
        Assert.True(MaxDiff(step.PredictX0(v + step.PredictionChange(dx), xt) - x0, dx) < 1e-13);
    }

    [Fact]
    public void AtSigmaZero_X0IsXt_AndThereIsNoInverse()
    {
        using var scope = NewDisposeScope();
        var step = new FlowPredictionStep(0.0);
        var xt = randn(4, 4);
        Assert.False(step.CanInvert);
        Assert.Equal(0.0, MaxDiff(step.PredictX0(randn(4, 4), xt), xt));
        Assert.Throws<InvalidOperationException>(() => step.PredictionFromX0(xt, xt));
        Assert.Throws<InvalidOperationException>(() => step.PredictionChange(xt));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlowPredictionStep(1.5));
    }

    [Theory]
    [InlineData(0.9, 15.0)]
    [InlineData(0.35, 4.0)]
    public void VStepOfLambda_IsX0StepOfLambdaSigmaSquared_ByFiniteDifferences(double sigma, double lambda)
    {
        using var scope = NewDisposeScope();
        manual_seed(32);
        var step = new FlowPredictionStep(sigma);
        double s = step.Sigma;
        var xt = randn([1, 2, 3, 3], dtype: ScalarType.Float64);
        var v = randn([1, 2, 3, 3], dtype: ScalarType.Float64).requires_grad_(true);
        var gradV = autograd.grad([Loss(step.PredictX0(v, xt))], [v])[0];

        // ∂L/∂v̂ by central differences in float64 equals autograd's, and equals −σ·∂L/∂x̂₀.
        var flat = v.detach().view(-1);
        foreach (long i in new long[] { 0, 5, 11, 17 })
        {
            double fd = FiniteDifference.Central(flat, i, () => Loss(step.PredictX0(v.detach(), xt)).item<double>());
            Assert.True(Math.Abs(fd - gradV.flatten()[i].item<double>()) <= 1e-8 + 1e-7 * Math.Abs(fd), $"v[{i}]: fd {fd}");
        }
        var x0 = step.PredictX0(v.detach(), xt).requires_grad_(true);
        var gradX0 = autograd.grad([Loss(x0)], [x0])[0];
        Assert.True(MaxDiff(gradV, gradX0 * Sc(-s)) < 1e-12);

        // The guided v̂' = v̂ − λ·∂L/∂v̂ gives x̂₀' = x̂₀ − λσ²·∂L/∂x̂₀, and PredictionChange maps that x̂₀-step back to the v-step.
        using var _ = no_grad();
        var vGuided = v.detach() - gradV * Sc(lambda);
        var x0Step = gradX0 * Sc(-step.X0StepOf(lambda));
        Assert.True(MaxDiff(step.PredictX0(vGuided, xt) - x0.detach(), x0Step) < 1e-12);
        Assert.True(MaxDiff(step.PredictionChange(x0Step), vGuided - v.detach()) < 1e-12);
        Assert.Equal(lambda * s * s, step.X0StepOf(lambda), 12);
    }
}
