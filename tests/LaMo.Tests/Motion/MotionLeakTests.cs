using LaMo.Diffusion;
using LaMo.Motion;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionLeakTests
{
    [Fact]
    public void GuidanceAndLossSteps_InScopes_LeaveNoLiveTensors()
    {
        manual_seed(51);
        var prior = MotionPriorLossTests.RandomPrior();
        var guidance = new MotionPriorGuidance(prior);
        var loss = new MotionPriorLoss(MotionPriorLossOptions.Default, new SeededMotionPriorDraws(3));
        var drift = new MotionDriftLoss();
        using var latents = randn([1, 4, 4, 5, 5]);
        using var v = randn([1, 4, 4, 5, 5]);
        using var embeds = randn([1, 6, 32]);
        using var table = linspace(1.0, 0.0, 1000);
        void Step()
        {
            using var scope = NewDisposeScope();
            using (no_grad()) guidance.Apply(new GuidanceContext(20, 50, 500, 0.5, latents, v, embeds));
            var r = loss.Compute(prior, latents, embeds.mean([1L]), table);
            r.Loss.backward();
            prior.zero_grad();
            drift.Compute(latents * 0.9f, latents, tensor(new[] { 0.3f })).Total.item<float>();
        }
        Step();                                    // warm-up (lazily created state, .grad tensors)
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
