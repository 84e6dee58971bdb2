using LaMo.Motion;
using LaMo.Verification;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionDriftLossTests
{
    [Fact]
    public void GoldenDriftLoss_AllOutputsPass_IncludingStopGradientAndTau1()
    {
        using var golden = GoldenFixture.Load("lamo_motion_drift_loss");
        using var scope = NewDisposeScope();
        var results = new MotionDriftLossVerifier().Verify(golden).ToList();
        GoldenFixture.AssertAll(results);
        Assert.Equal(golden.Outputs.Count, results.Count);
    }

    [Fact]
    public void RelativeL2_EqualsMagnitudePlusDirectionError_ComputedIndependently()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var x0Hat = randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64);
        var z0 = randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64);
        double expected = 0;
        int pairs = 0;
        for (int b = 0; b < 2; b++)
            for (int f = 0; f + 2 < 5; f++)
            {
                var mh = new double[3]; var ms = new double[3];
                for (int c = 0; c < 3; c++)
                {
                    mh[c] = (x0Hat[b, f + 2, c] - x0Hat[b, f, c]).mean().item<double>();
                    ms[c] = (z0[b, f + 2, c] - z0[b, f, c]).mean().item<double>();
                }
                double nh = Math.Sqrt(mh.Sum(v => v * v)), ns = Math.Sqrt(ms.Sum(v => v * v));
                double r = nh / ns, cos = mh.Zip(ms, (p, q) => p * q).Sum() / (nh * ns);
                expected += (r - 1) * (r - 1) + 2 * r * (1 - cos);    // (r − 1)² + 2r(1 − cos θ)
                pairs++;
            }
        expected /= pairs;
        Assert.Equal(expected, MotionDriftLoss.RelativeL2(x0Hat, z0, 2).item<double>(), 10);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(7.5)]
    public void RelativeL2_IsScaleInvariant(double k)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var x0Hat = randn([2, 6, 4, 5, 5], dtype: ScalarType.Float64);
        var z0 = randn([2, 6, 4, 5, 5], dtype: ScalarType.Float64);
        double a = MotionDriftLoss.RelativeL2(x0Hat, z0, 2).item<double>();
        double b = MotionDriftLoss.RelativeL2(x0Hat * k, z0 * k, 2).item<double>();
        Assert.True(a > 0.1);
        Assert.Equal(a, b, 10);
    }

    [Fact]
    public void Gradient_MatchesFloat64FiniteDifferences_WithStopGradientDenominator()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var x0Hat = randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var z0 = randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var sigmas = tensor(new[] { 0.25, 0.8 }, ScalarType.Float64);
        var loss = new MotionDriftLoss();
        var grads = autograd.grad([loss.Compute(x0Hat, z0, sigmas).Total], [x0Hat, z0]);
        var flat = x0Hat.detach().view(-1);
        foreach (long i in new long[] { 0, 77, 191, 479 })
        {
            double fd = FiniteDifference.Central(flat, i, () => loss.Compute(x0Hat, z0, sigmas).Total.item<double>()), ad = grads[0].flatten()[i].item<double>();
            Assert.True(Math.Abs(fd - ad) <= 1e-8 + 1e-6 * Math.Abs(fd), $"x0_hat[{i}]: fd {fd} vs autograd {ad}");
        }
        // The denominator is stop-gradient: d/dz0 differs from the full derivative (here only the numerator's −2(μ̂−μ*) term).
        var z0Flat = z0.detach().view(-1);
        double fdZ;
        using (no_grad())
        {
            double orig = z0Flat[5].item<double>();
            z0Flat[5] = orig + 1e-6; double p = loss.Compute(x0Hat, z0, sigmas).Total.item<double>();
            z0Flat[5] = orig - 1e-6; double m = loss.Compute(x0Hat, z0, sigmas).Total.item<double>();
            z0Flat[5] = orig;
            fdZ = (p - m) / 2e-6;
        }
        Assert.True(Math.Abs(fdZ - grads[1].flatten()[5].item<double>()) > 1e-6, "z0's gradient should omit the detached denominator");
    }

    [Fact]
    public void Weight_UsesSigmaEqualsTOver1000_AndVanishesAtHighNoise()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var x = randn([2, 4, 2, 3, 3]);
        var z = randn([2, 4, 2, 3, 3]);
        var loss = new MotionDriftLoss();
        var r = loss.ComputeFromTimesteps(x, z, tensor(new long[] { 250, 999 }));
        double w = (Math.Max(0, 1 - 0.25 * 0.25) + Math.Max(0, 1 - 0.999 * 0.999)) / 2;
        Assert.Equal(w, r.Weight.item<float>(), 5);
        Assert.Equal(0.4 * w * r.RelL2.item<float>(), r.Total.item<float>(), 5);
        Assert.Equal(0f, loss.ComputeFromTimesteps(x, z, tensor(new long[] { 1000, 1000 })).Total.item<float>());
        Assert.Equal(0f, loss.Compute(x[.., ..2], z[.., ..2], tensor(new[] { 0.1f, 0.1f })).Total.item<float>());   // T ≤ τ
        Assert.Throws<ArgumentException>(() => new MotionDriftLoss(new MotionDriftLossOptions(Tau: 0)));
    }

    [Fact]
    public void AlphaTable_MatchesGoldenFloat64Table()
    {
        using var golden = GoldenFixture.Load("lamo_motion_prior_guidance");
        var ours = CogVideoXAlphaTable.FromConfig(golden.Scalars.GetProperty("scheduler_config"));
        var reference = golden.Inputs["alphas_cumprod"].data<double>().ToArray();
        Assert.Equal(reference.Length, ours.Length);
        Assert.Equal(0.0, ours[^1]);
        for (int i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - reference[i]) < 1e-12, $"t={i}: {ours[i]} vs {reference[i]}");
    }
}
