using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers.Flow;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Backbones;

/// <summary>The flow family's noise levels: σ(t) = t/N, noise std σ, training σ drawn from the shifted table.</summary>
[Collection("Torch")]
public sealed class FlowNoiseLevelsTests
{
    [Fact]
    public void Sigma_IsTOverN_MonotoneInT_AndNoiseStdIsSigma()
    {
        using var scope = NewDisposeScope();
        var levels = FlowNoiseLevels.FromShift(3.0);
        Assert.Equal(1000, levels.NumTrainTimesteps);
        var t = linspace(0, 1000, 2001, dtype: ScalarType.Float32);
        var sigma = levels.Sigma(t);
        Assert.True((sigma[1..] - sigma[..^1]).gt(0).all().item<bool>(), "σ must increase with t");
        Assert.Equal(0f, sigma[0].item<float>());
        Assert.Equal(1f, sigma[^1].item<float>());
        Assert.True(levels.NoiseStd(t).eq(sigma).all().item<bool>());
    }

    [Fact]
    public void Table_IsTheEulerSchedulersTrainingTable_AndAddNoiseUsesItsSigma()
    {
        using var scope = NewDisposeScope();
        using var euler = new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 5.0 });
        var levels = FlowNoiseLevels.FromShift(5.0);
        Assert.Equal(euler.TrainSigmas, levels.TrainSigmas);
        manual_seed(41);
        var x0 = randn(2, 3, 4); var eps = randn(2, 3, 4);
        var t = tensor(new[] { 999.0f, 123.5f });
        var expected = FlowMath.AddNoise(x0, eps, t / 1000f);
        Assert.True((levels.AddNoise(x0, eps, t) - expected).abs().max().item<float>() == 0);
    }

    [Theory]
    // (shift, scheme, logit mean, expected mean σ, expected std σ): moments of σ = table[⌊u·N⌋], computed independently
    // by quadrature-free Monte Carlo with 400k draws outside this project.
    [InlineData(1.0, FlowSigmaScheme.Uniform, 0.0, 0.5007, 0.2889)]
    [InlineData(3.0, FlowSigmaScheme.Uniform, 0.0, 0.6764, 0.2662)]
    [InlineData(1.0, FlowSigmaScheme.LogitNormal, 0.0, 0.5005, 0.2083)]
    [InlineData(1.0, FlowSigmaScheme.LogitNormal, 1.0, 0.3038, 0.1826)]
    [InlineData(3.0, FlowSigmaScheme.LogitNormal, 0.0, 0.7141, 0.1778)]
    public void SampledSigmas_HaveTheSchemesMoments(double shift, FlowSigmaScheme scheme, double logitMean, double mean, double std)
    {
        using var scope = NewDisposeScope();
        var levels = FlowNoiseLevels.FromShift(shift, sampling: new FlowSigmaSampling(scheme, logitMean, 1.0));
        var g = new Generator(seed: 1234);
        var t = levels.SampleTimesteps(20000, g);
        Assert.Equal(ScalarType.Float32, t.dtype);
        var s = levels.Sigma(t).to_type(ScalarType.Float64);
        Assert.True(s.ge(0.0).all().item<bool>() && s.le(1.0).all().item<bool>());
        // Standard error of the mean is below 0.0021 here; the bounds are ~5 standard errors.
        Assert.InRange(s.mean().item<double>(), mean - 0.01, mean + 0.01);
        Assert.InRange(s.std().item<double>(), std - 0.01, std + 0.01);
        // Every draw is a table value (up to the float32 rounding of σ·N / N).
        var table = tensor(levels.TrainSigmas.ToArray());
        var sf = levels.Sigma(t);
        Assert.True((sf.unsqueeze(1) - table.unsqueeze(0)).abs().amin(1).max().item<float>() <= 1.2e-7f);
    }

    [Fact]
    public void Sampling_IsSeeded_AndInvalidOptionsAreRefused()
    {
        using var scope = NewDisposeScope();
        var levels = FlowNoiseLevels.FromShift(3.0, sampling: new FlowSigmaSampling(FlowSigmaScheme.LogitNormal));
        var a = levels.SampleTimesteps(64, new Generator(seed: 7));
        var b = levels.SampleTimesteps(64, new Generator(seed: 7));
        Assert.True(a.eq(b).all().item<bool>());
        Assert.Throws<ArgumentException>(() => FlowNoiseLevels.FromShift(3.0, sampling: new FlowSigmaSampling(FlowSigmaScheme.LogitNormal, 0, 0)));
        Assert.Throws<ArgumentException>(() => new FlowNoiseLevels([0.5f, 0.9f]));
    }
}
