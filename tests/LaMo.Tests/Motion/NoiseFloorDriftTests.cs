using System.Text.Json;
using LaMo.Motion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

/// <summary>The noise-floor-aware drift denominator (docs/method.md, "Our extension").</summary>
[Collection("Torch")]
public class NoiseFloorDriftTests
{
    private static MotionDriftLoss Variant(double kappa) =>
        new(new MotionDriftLossOptions(Denominator: DriftDenominator.NoiseFloor, NoiseFloorKappa: kappa));

    [Fact]
    public void Default_IsThePublishedDenominator_AndKappaIsIgnoredWhenOff()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var x = randn([2, 5, 4, 6, 6]);
        var z = randn([2, 5, 4, 6, 6]);
        var sigmas = tensor(new[] { 0.3f, 0.6f });
        Assert.Equal(DriftDenominator.Published, MotionDriftLossOptions.Default.Denominator);
        float published = MotionDriftLoss.RelativeL2(x, z, 2).item<float>();
        var off = new MotionDriftLoss(new MotionDriftLossOptions(NoiseFloorKappa: 5.0)).Compute(x, z, sigmas);
        Assert.Equal(published, off.RelL2.item<float>());                                       // bit for bit
        Assert.Equal(new MotionDriftLoss().Compute(x, z, sigmas).Total.item<float>(), off.Total.item<float>());
    }

    [Fact]
    public void KappaZero_IsBitIdenticalToThePublishedLoss()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var x = randn([2, 6, 3, 5, 5], dtype: ScalarType.Float64);
        var z = randn([2, 6, 3, 5, 5], dtype: ScalarType.Float64);
        Assert.Equal(MotionDriftLoss.RelativeL2(x, z, 2).item<double>(), NoiseFloorDrift.RelativeL2(x, z, 2, 0.0).item<double>());
    }

    [Fact]
    public void PerPair_EqualsPublishedTimesSnrGain_WithTheFloorComputedIndependently()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        const int c = 3, h = 4, w = 5;
        const double kappa = 0.7;
        var x = randn([1, 3, c, h, w], dtype: ScalarType.Float64);                            // T = 3, τ = 2: one pair
        var z = randn([1, 3, c, h, w], dtype: ScalarType.Float64);
        double muStar2 = 0, spread = 0;
        for (int ch = 0; ch < c; ch++)
        {
            var d = (z[0, 2, ch] - z[0, 0, ch]).data<double>().ToArray();
            double m = d.Average();
            muStar2 += m * m;
            spread += d.Sum(v => (v - m) * (v - m)) / d.Length;                                // mean_{h,w} (d_c − μ_c)²
        }
        double floor = spread / (h * w);
        Assert.Equal(floor, NoiseFloorDrift.BulkMotionVariance(z, 2).item<double>(), 12);
        double published = MotionDriftLoss.RelativeL2(x, z, 2).item<double>();
        double expected = published * muStar2 / (muStar2 + kappa * floor);                     // g·published, g = SNR/(SNR + κ)
        Assert.Equal(expected, NoiseFloorDrift.RelativeL2(x, z, 2, kappa).item<double>(), 12);
    }

    [Fact]
    public void FarAboveTheFloor_EqualsThePublishedLossWithinTheStatedBound()
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        // A strong common drift (a light ramp or a pan's mean shift) over small per-location changes.
        var drift = tensor(new[] { 3.0, -2.0, 1.5, 4.0 }, ScalarType.Float64).view(1, 1, 4, 1, 1);
        var frames = arange(6, dtype: ScalarType.Float64).view(1, 6, 1, 1, 1);
        var z = frames * drift + 0.05 * randn([2, 6, 4, 8, 8], dtype: ScalarType.Float64);
        var x = z + 0.3 * randn([2, 6, 4, 8, 8], dtype: ScalarType.Float64);
        double kappa = MotionDriftLossOptions.DefaultNoiseFloorKappa;
        var muStar2 = MotionDriftLoss.BulkMotion(z, 2).pow(2).sum(-1);
        double bound = (NoiseFloorDrift.BulkMotionVariance(z, 2) * kappa / muStar2).max().item<double>();   // max κ/SNR
        Assert.True(bound < 1e-6, $"test data not far above the floor: κ/SNR = {bound}");
        var sigmas = tensor(new[] { 0.2, 0.5 }, ScalarType.Float64);
        double published = new MotionDriftLoss().Compute(x, z, sigmas).Total.item<double>();
        double variant = Variant(kappa).Compute(x, z, sigmas).Total.item<double>();
        Assert.True(variant <= published);
        Assert.True((published - variant) / published <= bound, $"relative gap {(published - variant) / published} > {bound}");
    }

    [Fact]
    public void ZeroBulkMotion_StaysFiniteAndBounded_WherePublishedExplodes()
    {
        using var scope = NewDisposeScope();
        manual_seed(25);
        var raw = randn([2, 5, 4, 8, 8], dtype: ScalarType.Float64);
        var z = raw - raw.mean([-2L, -1L], keepdim: true);                                      // every frame spatially zero-mean: μ* = 0
        var x = z + 0.1 * randn([2, 5, 4, 8, 8], dtype: ScalarType.Float64);
        Assert.True(MotionDriftLoss.BulkMotion(z, 2).abs().max().item<double>() < 1e-12);
        const double kappa = 0.03;
        double published = MotionDriftLoss.RelativeL2(x, z, 2).item<double>();
        double variant = NoiseFloorDrift.RelativeL2(x, z, 2, kappa).item<double>();
        // Bound: per pair ‖μ̂ − μ*‖² / (κσ̂²_μ), averaged over pairs.
        var num = (MotionDriftLoss.BulkMotion(x, 2) - MotionDriftLoss.BulkMotion(z, 2)).pow(2).sum(-1);
        double bound = (num / (NoiseFloorDrift.BulkMotionVariance(z, 2) * kappa)).mean().item<double>();
        Assert.True(double.IsFinite(variant) && variant > 0);
        Assert.True(variant <= bound * (1 + 1e-9), $"{variant} > bound {bound}");
        Assert.True(bound < 10, $"bound {bound}: x̂₀'s error on μ is a tenth of the per-location spread, so ≈ 0.01/κ");
        Assert.True(published > 1e4 * variant, $"published {published} vs variant {variant}");
    }

    [Fact]
    public void Gradient_MatchesFloat64FiniteDifferences_AndTheDenominatorIsDetached()
    {
        using var scope = NewDisposeScope();
        manual_seed(26);
        var x0Hat = randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var z0 = (randn([2, 5, 3, 4, 4], dtype: ScalarType.Float64) * 0.5).requires_grad_(true);
        var sigmas = tensor(new[] { 0.25, 0.8 }, ScalarType.Float64);
        var loss = Variant(0.5);
        var grads = autograd.grad([loss.Compute(x0Hat, z0, sigmas).Total], [x0Hat, z0]);
        var flat = x0Hat.detach().view(-1);
        foreach (long i in new long[] { 0, 41, 200, 479 })
        {
            double fd = FiniteDifference.Central(flat, i, () => loss.Compute(x0Hat, z0, sigmas).Total.item<double>()), ad = grads[0].flatten()[i].item<double>();
            Assert.True(Math.Abs(fd - ad) <= 1e-8 + 1e-6 * Math.Abs(fd), $"x0_hat[{i}]: fd {fd} vs autograd {ad}");
        }
        // With a detached denominator the loss depends on z0 only through μ̂ − μ*: ∂/∂z0 = −∂/∂x̂₀ elementwise.
        Assert.True(grads[1].allclose(-grads[0], rtol: 1e-12, atol: 1e-15));
        Assert.True(grads[0].abs().max().item<double>() > 1e-6);
    }

    [Fact]
    public void Loss_DecreasesMonotonicallyInKappa()
    {
        using var scope = NewDisposeScope();
        manual_seed(27);
        var x = randn([3, 6, 4, 6, 6], dtype: ScalarType.Float64);
        var z = randn([3, 6, 4, 6, 6], dtype: ScalarType.Float64);
        double previous = double.PositiveInfinity;
        foreach (double kappa in new[] { 0.0, 1e-3, 1e-2, 0.03, 0.1, 1.0, 10.0 })
        {
            double value = NoiseFloorDrift.RelativeL2(x, z, 2, kappa).item<double>();
            Assert.True(value < previous, $"κ = {kappa}: {value} !< {previous}");
            previous = value;
        }
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(7.5)]
    public void Variant_KeepsScaleInvariance(double k)
    {
        using var scope = NewDisposeScope();
        manual_seed(28);
        var x = randn([2, 6, 4, 5, 5], dtype: ScalarType.Float64);
        var z = randn([2, 6, 4, 5, 5], dtype: ScalarType.Float64);
        double a = NoiseFloorDrift.RelativeL2(x, z, 2, 0.1).item<double>();
        double b = NoiseFloorDrift.RelativeL2(x * k, z * k, 2, 0.1).item<double>();
        Assert.Equal(a, b, 10);
    }

    [Fact]
    public void Options_RejectBadKappa_AndTheEnumHasSnakeCaseJsonNames()
    {
        foreach (double bad in new[] { -0.1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentException>(() => new MotionDriftLoss(new MotionDriftLossOptions(Denominator: DriftDenominator.NoiseFloor, NoiseFloorKappa: bad)));
        Assert.Throws<ArgumentException>(() => new MotionDriftLoss(new MotionDriftLossOptions(Denominator: (DriftDenominator)7)));
        Assert.Equal("\"noise_floor\"", JsonSerializer.Serialize(DriftDenominator.NoiseFloor));
        Assert.Equal(DriftDenominator.Published, JsonSerializer.Deserialize<DriftDenominator>("\"published\""));
        Assert.Equal(0.03, MotionDriftLossOptions.Default.NoiseFloorKappa);
    }

}
