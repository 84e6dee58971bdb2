using LaMo.Diffusion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion;

/// <summary>The flow-matching conventions are consistent with each other (float64, so the identities are tight).</summary>
[Collection("Torch")]   // draws from TorchSharp's global generator
public class FlowMathTests
{
    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<double>();

    [Fact]
    public void AddNoise_VelocityTarget_X0Hat_RoundTrip()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var x0 = randn([3, 4, 2, 3, 3], dtype: ScalarType.Float64);
        var eps = randn([3, 4, 2, 3, 3], dtype: ScalarType.Float64);
        var sigma = tensor(new[] { 0.05, 0.5, 0.97 });
        var xt = FlowMath.AddNoise(x0, eps, sigma);
        var v = FlowMath.VelocityTarget(x0, eps);
        Assert.True(MaxDiff(FlowMath.PredictX0FromVelocity(v, xt, sigma), x0) < 1e-14);
        Assert.True(MaxDiff(FlowMath.PredictVelocityFromX0(x0, xt, sigma), v) < 1e-12);
        Assert.True(MaxDiff(FlowMath.PredictNoiseFromVelocity(v, xt, sigma), eps) < 1e-14);
        // The velocity is dx_t/dσ: an Euler step of any size along the exact v lands on the exact x at the new σ.
        var sigmaNext = tensor(new[] { 0.0, 0.3, 0.5 });
        var xNext = xt + DiffusionMath.Broadcast(sigmaNext - sigma, xt) * v;
        Assert.True(MaxDiff(xNext, FlowMath.AddNoise(x0, eps, sigmaNext)) < 1e-14);
    }

    [Fact]
    public void AddNoise_Endpoints_AreCleanAndPureNoise()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var x0 = randn([2, 5], dtype: ScalarType.Float64);
        var eps = randn([2, 5], dtype: ScalarType.Float64);
        var xt = FlowMath.AddNoise(x0, eps, tensor(new[] { 0.0, 1.0 }));
        Assert.Equal(0.0, MaxDiff(xt[0], x0[0]));
        Assert.Equal(0.0, MaxDiff(xt[1], eps[1]));
    }

    [Fact]
    public void InversePair_AgreesForAnyVelocity_NotOnlyTheTarget()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var v = randn([2, 7], dtype: ScalarType.Float64);
        var xt = randn([2, 7], dtype: ScalarType.Float64);
        var sigma = tensor(new[] { 0.2, 0.9 });
        var x0 = FlowMath.PredictX0FromVelocity(v, xt, sigma);
        Assert.True(MaxDiff(FlowMath.PredictVelocityFromX0(x0, xt, sigma), v) < 1e-13);
    }
}
