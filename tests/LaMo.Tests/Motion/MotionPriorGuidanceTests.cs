using LaMo.Diffusion;
using LaMo.Motion;
using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionPriorGuidanceTests(ITestOutputHelper output)
{
    [Fact]
    public void GoldenGuidance_AllOutputsPass_IncludingDeltaVAndNullPrompt()
    {
        using var golden = GoldenFixture.Load("lamo_motion_prior_guidance");
        using var scope = NewDisposeScope();
        var results = new MotionPriorGuidanceVerifier().Verify(golden).ToList();
        GoldenFixture.AssertAll(results);
        Assert.Equal(golden.Outputs.Count, results.Count);
        foreach (var r in results) output.WriteLine($"{r.Output}: max abs err {r.MaxAbsError:G3}");
    }

    [Fact]
    public void Window_StartsAt9Of50_And41StepsAreGuided()
    {
        var o = MotionPriorGuidanceOptions.Default;
        Assert.Equal(9, o.WindowStart(50));
        Assert.Equal(41, Enumerable.Range(0, 50).Count(s => o.IsActive(s, 50)));
        Assert.False(o.IsActive(8, 50));
        Assert.True(o.IsActive(9, 50));
        Assert.Equal(0, Enumerable.Range(0, 50).Count(s => (o with { Lambda = 0 }).IsActive(s, 50)));
        Assert.Throws<ArgumentException>(() => new MotionPriorGuidanceOptions(Rho: 1.2).Validate());
        Assert.Throws<ArgumentException>(() => new MotionPriorGuidanceOptions(Lambda: -1).Validate());
    }

    [Fact]
    public void OutsideWindow_ReturnsVBitwiseUnchanged()
    {
        using var scope = NewDisposeScope();
        var (prior, ctx) = Setup(step: 8);
        var guided = new MotionPriorGuidance(prior).Apply(ctx);
        Assert.True(guided.eq(ctx.ModelOutput).all().item<bool>());
        var inside = new MotionPriorGuidance(prior).Apply(ctx with { StepIndex = 9 });
        Assert.True((inside - ctx.ModelOutput).abs().max().item<float>() > 1e-6);
    }

    [Fact]
    public void VelocityStep_EqualsStepOfLambdaOneMinusAlphaBar_OnX0Hat()
    {
        using var scope = NewDisposeScope();
        var (prior, ctx) = Setup(step: 30);
        var a = tensor((float)ctx.AlphaCumprod);
        var guided = new MotionPriorGuidance(prior).Apply(ctx);
        var g = GradWrtX0(prior, ctx, a);
        // x̂₀(v − λ∇_v L) = x̂₀(v) − λ(1 − ᾱ)∇_{x̂₀} L
        var lhs = DiffusionMath.PredictX0FromV(guided, ctx.Latents, a);
        var rhs = DiffusionMath.PredictX0FromV(ctx.ModelOutput, ctx.Latents, a) - 15.0 * (1 - (float)ctx.AlphaCumprod) * g;
        Assert.True(g.abs().max().item<float>() > 1e-3);
        Assert.True(allclose(lhs, rhs, 1e-5, 1e-5), $"max diff {(lhs - rhs).abs().max().item<float>()}");

        // The ablation steps x̂₀ by λ∇L itself.
        var edit = new MotionPriorGuidance(prior, new(Mode: MotionPriorGuidanceMode.DirectLatentEdit)).Apply(ctx);
        var lhsEdit = DiffusionMath.PredictX0FromV(edit, ctx.Latents, a);
        var rhsEdit = DiffusionMath.PredictX0FromV(ctx.ModelOutput, ctx.Latents, a) - 15.0 * g;
        Assert.True(allclose(lhsEdit, rhsEdit, 1e-4, 1e-4), $"max diff {(lhsEdit - rhsEdit).abs().max().item<float>()}");
    }

    [Fact]
    public void Guiding_UnderNoGrad_LeavesPriorUnchangedWithoutGrad()
    {
        using var scope = NewDisposeScope();
        var (prior, ctx) = Setup(step: 20);
        var before = prior.parameters().Select(p => p.detach().clone()).ToList();
        Tensor guided;
        using (no_grad()) guided = new MotionPriorGuidance(prior).Apply(ctx);   // the pipeline's transformer context
        Assert.False(guided.requires_grad);
        Assert.True((guided - ctx.ModelOutput).abs().max().item<float>() > 1e-6);
        var after = prior.parameters().ToList();
        for (int i = 0; i < after.Count; i++)
        {
            Assert.Null(after[i].grad);
            Assert.True(after[i].eq(before[i]).all().item<bool>());
        }
    }

    private static Tensor GradWrtX0(MotionPrior prior, GuidanceContext ctx, Tensor a)
    {
        using var _ = enable_grad();
        var x0 = DiffusionMath.PredictX0FromV(ctx.ModelOutput, ctx.Latents, a).detach().requires_grad_(true);
        long b = x0.shape[0], c = x0.shape[2], h = x0.shape[3], w = x0.shape[4];
        var cur = x0[.., ..^1].reshape(-1, c, h, w);
        var next = x0[.., 1..].reshape(-1, c, h, w);
        var p = ctx.PromptEmbeds!.mean([1L]);
        var loss = (cur + prior.forward(cur, p) - next).pow(2).mean();
        return autograd.grad([loss], [x0])[0];
    }

    private static (MotionPrior, GuidanceContext) Setup(int step)
    {
        manual_seed(20);
        var prior = MotionPriorLossTests.RandomPrior();
        var latents = randn([2, 4, 4, 5, 5]);
        var v = randn([2, 4, 4, 5, 5]);
        return (prior, new GuidanceContext(step, 50, 399, 0.6, latents, v, randn([2, 6, 32])));
    }
}
