using LaMo.Diffusion;
using LaMo.Diffusion.Schedulers;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

public class DDIMSchedulerTests
{
    private static Tensor A(double a) => tensor(a, ScalarType.Float64);

    [Theory]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.Sample)]
    public void Step_FedTrueModelOutput_LandsOnAddNoiseAtPrevTimestep(PredictionType type)
    {
        // Deterministic DDIM keeps ε: from x_t = AddNoise(x0, ε, ᾱ_t) with the exact prediction it must land on
        // AddNoise(x0, ε, ᾱ_prev), including t = 999 (ᾱ = 0) and the last step (ᾱ_prev = 1).
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B with { PredictionType = type });
        s.SetTimesteps(50);
        var g = new TorchSharp.torch.Generator(7);
        var x0 = randn([2, 3, 4, 4, 4], ScalarType.Float64, generator: g);
        var eps = randn([2, 3, 4, 4, 4], ScalarType.Float64, generator: g);
        foreach (int i in new[] { 0, 1, 17, 25, 48, 49 })
        {
            int t = s.Timesteps[i];
            if (type == PredictionType.Epsilon && t == 999) continue; // x̂₀ = (x_t − ε)/√ᾱ divides by 0
            double at = s.AlphaCumprod(t), aPrev = s.Schedule.AlphaCumprodOrFinal(s.PreviousTimestep(t));
            var xt = DiffusionMath.AddNoise(x0, eps, A(at));
            var output = type switch
            {
                PredictionType.VPrediction => DiffusionMath.VelocityTarget(x0, eps, A(at)),
                PredictionType.Epsilon => eps,
                _ => x0,
            };
            var step = s.Step(output, t, xt);
            Assert.True(step.PredOriginalSample.allclose(x0, rtol: 0, atol: 1e-9), $"x̂₀ at t={t}");
            Assert.True(step.PrevSample.allclose(DiffusionMath.AddNoise(x0, eps, A(aPrev)), rtol: 0, atol: 1e-9), $"x_prev at t={t}");
        }
        // Last step: ᾱ_prev = 1, so it returns x̂₀ exactly.
        Assert.Equal(1.0, s.Schedule.AlphaCumprodOrFinal(s.PreviousTimestep(19)));
    }

    [Fact]
    public void Step_EtaNonZero_ThrowsNotSupported()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(10);
        var x = zeros(1, 2);
        var e = Assert.Throws<NotSupportedException>(() => s.Step(x, 999, x, eta: 0.5));
        Assert.Contains("eta", e.Message);
        s.Step(x, 999, x, eta: 0.0); // 0 is fine
    }

    [Fact]
    public void Step_BeforeSetTimesteps_ThrowsInvalidOperation()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        var x = zeros(1, 2);
        Assert.Empty(s.Timesteps);
        Assert.Null(s.NumInferenceSteps);
        Assert.Throws<InvalidOperationException>(() => s.Step(x, 999, x));
    }

    [Fact]
    public void Constructor_ClipSampleTrue_ThrowsNotSupported() =>
        Assert.Throws<NotSupportedException>(() => new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B with { ClipSample = true }));

    [Fact]
    public void Step_ShapeMismatch_ThrowsArgument()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(10);
        Assert.Throws<ArgumentException>(() => s.Step(zeros(1, 2), 999, zeros(1, 3)));
    }

    [Fact]
    public void AddNoiseAndGetVelocity_PerBatchTimesteps_MatchDiffusionMath()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        var x0 = randn(3, 2, 5); var eps = randn(3, 2, 5);
        var ts = tensor(new long[] { 999, 500, 0 });
        var a = tensor(new[] { (float)s.AlphaCumprod(999), (float)s.AlphaCumprod(500), (float)s.AlphaCumprod(0) });
        Assert.True(s.AddNoise(x0, eps, ts).allclose(DiffusionMath.AddNoise(x0, eps, a), rtol: 0, atol: 0));
        Assert.True(s.GetVelocity(x0, eps, ts).allclose(DiffusionMath.VelocityTarget(x0, eps, a), rtol: 0, atol: 0));
        // Row 0 is at ᾱ = 0: pure noise.
        Assert.True(s.AddNoise(x0, eps, ts)[0].allclose(eps[0], rtol: 0, atol: 0));
    }
}
