using LaMo.Diffusion;
using LaMo.Diffusion.Schedulers;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

public class DPMSchedulerTests
{
    /// <summary>Counts draws and hands out seeded float64-compatible noise.</summary>
    private sealed class CountingSource(ulong seed) : INoiseSource
    {
        private readonly TorchSharp.torch.Generator _g = new(seed);
        public List<Tensor> Drawn { get; } = [];
        public Tensor Randn(long[] shape, ScalarType dtype, Device device)
        {
            var t = randn(shape, dtype, device, generator: _g);
            Drawn.Add(t);
            return t;
        }
    }

    private static (Tensor x0, Tensor eps) Data(ulong seed)
    {
        var g = new TorchSharp.torch.Generator(seed);
        return (randn([1, 3, 4, 4, 4], ScalarType.Float64, generator: g), randn([1, 3, 4, 4, 4], ScalarType.Float64, generator: g));
    }

    [Fact]
    public void Step_FedTrueV_LandsOnForwardMarginalWithMixedNoise()
    {
        // First-order SDE step with the exact x̂₀: x_prev = √ᾱ_prev·x0 + √(1−ᾱ_prev)·(e^{−h}·ε + √(1−e^{−2h})·z).
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B, chainPreviousX0: false);
        s.SetTimesteps(50);
        var (x0, eps) = Data(3);
        foreach (int i in new[] { 0, 1, 20, 48, 49 })
        {
            int t = s.Timesteps[i];
            double at = s.AlphaCumprod(t), ap = s.Schedule.AlphaCumprodOrFinal(s.PreviousTimestep(t));
            var a = tensor(at, ScalarType.Float64);
            var xt = DiffusionMath.AddNoise(x0, eps, a);
            var noise = new CountingSource((ulong)t);
            var step = s.Step(DiffusionMath.VelocityTarget(x0, eps, a), t, xt, noise);
            var z = Assert.Single(noise.Drawn);
            // e^{−h} = √(ᾱ_t(1−ᾱ_prev) / ((1−ᾱ_t)ᾱ_prev)), which is 0 at t = 999 (ᾱ_t = 0).
            double eh = Math.Sqrt(at * (1 - ap) / ((1 - at) * ap));
            var expected = x0 * Math.Sqrt(ap) + (eps * eh + z * Math.Sqrt(1 - eh * eh)) * Math.Sqrt(1 - ap);
            Assert.True(step.PrevSample.allclose(expected, rtol: 0, atol: 1e-9), $"t={t}");
            Assert.True(step.PrevSample.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void Step_Chained_DrawsTwiceAfterFirstStepAndSetTimestepsResets()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        Assert.True(s.ChainPreviousX0);
        s.SetTimesteps(50);
        var (x, v) = Data(5);
        var counts = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            var noise = new CountingSource((ulong)i);
            x = s.Step(v, s.Timesteps[i], x, noise).PrevSample;
            counts.Add(noise.Drawn.Count);
        }
        Assert.Equal([1, 2, 2], counts);
        s.SetTimesteps(50); // forgets the previous x̂₀
        var again = new CountingSource(9);
        s.Step(v, s.Timesteps[0], x, again);
        Assert.Single(again.Drawn);
    }

    [Fact]
    public void Step_LamoStyle_AlwaysFirstOrderAndMatchesExplicitNullOld()
    {
        using var scope = NewDisposeScope();
        using var lamo = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B, chainPreviousX0: false);
        using var reference = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        lamo.SetTimesteps(50); reference.SetTimesteps(50);
        var (x, v) = Data(6);
        var y = x;
        for (int i = 0; i < 3; i++)
        {
            var n1 = new CountingSource((ulong)(100 + i)); var n2 = new CountingSource((ulong)(100 + i));
            x = lamo.Step(v, lamo.Timesteps[i], x, n1).PrevSample;
            y = reference.Step(v, null, reference.Timesteps[i], i > 0 ? reference.Timesteps[i - 1] : null, y, n2).PrevSample;
            Assert.Single(n1.Drawn);
            Assert.True(x.allclose(y, rtol: 0, atol: 0));
        }
    }

    [Fact]
    public void Step_SecondOrderAfterT999_EqualsFirstOrderWithSecondDraw()
    {
        // timestep_back = 999 ⇒ λ_back = −∞ ⇒ r = +∞ ⇒ mult3 = 1, mult4 = 0: the old x̂₀ is ignored and only the
        // second noise draw is used.
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(50);
        var (x, v) = Data(8);
        var old = full([1, 3, 4, 4, 4], 1e6, ScalarType.Float64);
        var z1 = randn([1, 3, 4, 4, 4], ScalarType.Float64); var z2 = randn([1, 3, 4, 4, 4], ScalarType.Float64);
        var second = s.Step(v, old, 979, 999, x, new RecordedNoiseSource([z1, z2]));
        var first = s.Step(v, null, 979, null, x, new RecordedNoiseSource([z2]));
        Assert.True(second.PrevSample.allclose(first.PrevSample, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void Step_LastStep_WithOldX0_ReturnsFirstOrderX0()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(10);
        var (x, v) = Data(9);
        var noise = new CountingSource(1);
        var step = s.Step(v, x, 99, 199, x, noise);
        Assert.Single(noise.Drawn);
        Assert.True(step.PrevSample.allclose(step.PredOriginalSample, rtol: 0, atol: 0)); // ᾱ_prev = 1: no noise
    }

    [Fact]
    public void Step_OldWithoutTimestepBack_ThrowsArgument()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(50);
        var (x, v) = Data(10);
        Assert.Throws<ArgumentException>(() => s.Step(v, x, 979, null, x, new CountingSource(0)));
    }

    [Fact]
    public void Step_BeforeSetTimesteps_ThrowsInvalidOperation()
    {
        using var scope = NewDisposeScope();
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        var x = zeros(1, 2);
        Assert.Throws<InvalidOperationException>(() => s.Step(x, 999, x, new CountingSource(0)));
    }

    [Fact]
    public void Step_OutsideDisposeScope_KeepsChainState()
    {
        // The kept x̂₀ must survive the caller's per-step dispose scope.
        using var s = new CogVideoXDPMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(50);
        var (x, v) = Data(12);
        using (NewDisposeScope()) s.Step(v, s.Timesteps[0], x, new CountingSource(0));
        using (NewDisposeScope())
        {
            var noise = new CountingSource(1);
            var r = s.Step(v, s.Timesteps[1], x, noise);
            Assert.Equal(2, noise.Drawn.Count);
            Assert.True(r.PrevSample.isfinite().all().item<bool>());
        }
    }
}
