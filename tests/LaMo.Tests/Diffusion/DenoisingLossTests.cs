using LaMo.Diffusion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion;

/// <summary>CogVideoX's x₀-space training loss against closed forms.</summary>
public sealed class DenoisingLossTests
{
    [Fact]
    public void WeightedX0Loss_EqualsVelocityMse_ForVPrediction()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var z0 = randn(new long[] { 3, 2, 4, 5, 5 }, ScalarType.Float64, generator: g);
        var eps = randn(z0.shape, ScalarType.Float64, generator: g);
        var vHat = randn(z0.shape, ScalarType.Float64, generator: g);
        var abar = tensor(new[] { 0.999, 0.5, 0.02 });
        var a = abar.reshape(3, 1, 1, 1, 1);
        var xt = a.sqrt() * z0 + (1.0 - a).sqrt() * eps;
        var vTarget = a.sqrt() * eps - (1.0 - a).sqrt() * z0;
        var loss = DenoisingLoss.VPredictionX0(DiffusionMath.PredictX0FromV(vHat, xt, abar), z0, abar).item<double>();
        double mse = (vHat - vTarget).pow(2).mean().item<double>();
        Assert.Equal(mse, loss, 1e-12);
    }

    [Fact]
    public void Loss_MatchesAnExplicitPerSampleSum()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var x0Hat = randn(new long[] { 2, 3, 4 }, ScalarType.Float64, generator: g);
        var z0 = randn(x0Hat.shape, ScalarType.Float64, generator: g);
        double[] abar = [0.9, 0.3];
        double expected = 0;
        for (int b = 0; b < 2; b++)
        {
            double sum = 0;
            var d = (x0Hat[b] - z0[b]).flatten().data<double>().ToArray();
            foreach (double e in d) sum += e * e;
            expected += sum / d.Length / (1 - abar[b]) / 2;
        }
        Assert.Equal(expected, DenoisingLoss.VPredictionX0(x0Hat, z0, tensor(abar)).item<double>(), 1e-12);
        Assert.Equal(0.0, DenoisingLoss.VPredictionX0(z0, z0, tensor(abar)).item<double>());
    }

    [Fact]
    public void MismatchedShapes_AreRefusedWithTheShapes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => DenoisingLoss.VPredictionX0(zeros(2, 3), zeros(2, 4), zeros(2)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => DenoisingLoss.VPredictionX0(zeros(2, 3), zeros(2, 3), zeros(3)));
    }
}
