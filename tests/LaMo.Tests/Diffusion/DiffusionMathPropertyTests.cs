using LaMo.Diffusion;
using LaMo.Diffusion.Schedulers;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion;

public class DiffusionMathPropertyTests
{
    [Fact]
    public void PredictX0FromV_OfTrueVelocity_RecoversX0AtEveryTimestep()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B);
        var g = new TorchSharp.torch.Generator(11);
        var x0 = randn([4, 2, 3, 3], ScalarType.Float64, generator: g);
        var eps = randn([4, 2, 3, 3], ScalarType.Float64, generator: g);
        for (int t = 0; t < 1000; t += 37)
        {
            foreach (int tt in new[] { t, 999 })
            {
                var a = tensor(schedule.AlphaCumprod(tt), ScalarType.Float64);
                var xt = DiffusionMath.AddNoise(x0, eps, a);
                var v = DiffusionMath.VelocityTarget(x0, eps, a);
                Assert.True(DiffusionMath.PredictX0FromV(v, xt, a).allclose(x0, rtol: 0, atol: 1e-12), $"x0 at t={tt}");
                Assert.True(DiffusionMath.PredictEpsFromV(v, xt, a).allclose(eps, rtol: 0, atol: 1e-12), $"eps at t={tt}");
            }
        }
    }
}
