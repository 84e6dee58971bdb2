using LaMo.Motion;
using TorchSharp;
using LaMo.Verification;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionPriorLossTests
{
    [Fact]
    public void GoldenPredictorLoss_AllOutputsPass_IncludingGradientsAndReplayedDraws()
    {
        using var golden = GoldenFixture.Load("lamo_predictor_loss");
        using var scope = NewDisposeScope();
        var results = new PredictorLossVerifier().Verify(golden).ToList();
        GoldenFixture.AssertAll(results);
        // Everything except the four recorded draws themselves (which are inputs to the replay).
        Assert.Equal(golden.Outputs.Keys.Count(k => !k.StartsWith("stochastic.draw_", StringComparison.Ordinal)), results.Count);
    }

    [Fact]
    public void Loss_EqualsMsePlusAlphaOneMinusCos_ComputedIndependently()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var prior = RandomPrior();
        var latents = randn([2, 3, 4, 5, 5]);
        var r = new MotionPriorLoss(MotionPriorLossOptions.Deterministic).Compute(prior, latents, randn(2, 32));
        var pred = r.Prediction.detach().reshape(4, -1);
        var target = (latents[.., 1..] - latents[.., ..^1]).reshape(4, -1);
        double mse = (pred - target).pow(2).mean().item<float>();
        double cos = 0;
        for (int i = 0; i < 4; i++)
            cos += (pred[i] * target[i]).sum().item<float>() / (pred[i].norm().item<float>() * target[i].norm().item<float>());
        cos /= 4;
        Assert.Equal(mse + 0.3 * (1 - cos), r.Loss.item<float>(), 4);
        Assert.Equal(cos, r.CosSimMean.item<float>(), 4);
        Assert.Equal(4, r.Pairs);
    }

    [Fact]
    public void Gradient_MatchesFloat64FiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var prior = RandomPrior();
        prior.to(ScalarType.Float64);
        var latents = randn([1, 3, 4, 4, 4], dtype: ScalarType.Float64);
        var prompt = randn([1, 32], dtype: ScalarType.Float64);
        var loss = new MotionPriorLoss(MotionPriorLossOptions.Deterministic);
        var sd = prior.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        prior.zero_grad();
        loss.Compute(prior, latents, prompt).Loss.backward();
        foreach (var name in new[] { "output_proj.weight", "blocks.0.film.weight", "prompt_proj.weight", "blocks.1.se.fc1.bias", "input_proj.weight" })
        {
            var p = sd[name];
            var analytic = p.grad!.flatten();
            var flat = p.detach().view(-1);   // shares storage with p
            foreach (long i in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 })
            {
                double fd = FiniteDifference.Central(flat, i, () => loss.Compute(prior, latents, prompt).Loss.item<double>());
                Assert.True(Math.Abs(fd - analytic[i].item<double>()) <= 1e-6 + 1e-5 * Math.Abs(fd), $"{name}[{i}]: fd {fd} vs autograd {analytic[i].item<double>()}");
            }
        }
    }

    [Fact]
    public void PromptDropout_ZeroesRows_AndAugmentation_UsesSqrtOneMinusAlphaBar()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var prior = RandomPrior();
        var latents = randn([1, 3, 4, 4, 4]);
        var prompt = randn(1, 32);
        var noise = randn(2, 4, 4, 4);
        var table = linspace(1.0, 0.0, 1000, dtype: ScalarType.Float64);
        // Pair 0 dropped and augmented at t' = 500; pair 1 kept and not augmented.
        var draws = new RecordedMotionPriorDraws(tensor(new float[] { 0.05f, 0.9f }).reshape(2, 1),
            tensor(new float[] { 0.1f, 0.7f }).reshape(2, 1, 1, 1), tensor(new long[] { 500, 3 }), noise);
        var opts = new MotionPriorLossOptions(0.3, 0.5, 0.3, 0.1);
        var r = new MotionPriorLoss(opts, draws).Compute(prior, latents, prompt, table);

        double abar = table[500].item<double>();
        var z0 = latents[0, 0].unsqueeze(0) + (float)(Math.Sqrt(1 - (float)abar) * 0.3) * noise[0].unsqueeze(0);
        var expected0 = prior.forward(z0, zeros(1, 32));
        var expected1 = prior.forward(latents[0, 1].unsqueeze(0), prompt);
        Assert.True(allclose(r.Prediction[0].unsqueeze(0), expected0, 1e-5, 1e-5));
        Assert.True(allclose(r.Prediction[1].unsqueeze(0), expected1, 1e-5, 1e-5));
    }

    [Fact]
    public void SeededDraws_AreReproducible_AndOptionsValidate()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var prior = RandomPrior();
        var latents = randn([1, 3, 4, 4, 4]);
        var prompt = randn(1, 32);
        var table = linspace(1.0, 0.0, 1000);
        using var d1 = new SeededMotionPriorDraws(42);
        using var d2 = new SeededMotionPriorDraws(42);
        using var d3 = new SeededMotionPriorDraws(43);
        var a = new MotionPriorLoss(null, d1).Compute(prior, latents, prompt, table).Loss.item<float>();
        var b = new MotionPriorLoss(null, d2).Compute(prior, latents, prompt, table).Loss.item<float>();
        var c = new MotionPriorLoss(new MotionPriorLossOptions(NoiseAugProb: 1), d3).Compute(prior, latents, prompt, table).Loss.item<float>();
        Assert.NotEqual(a, c);
        Assert.Equal(a, b);
        Assert.Throws<ArgumentException>(() => new MotionPriorLoss(new MotionPriorLossOptions(NoiseAugProb: 1.5)));
        Assert.Throws<ArgumentException>(() => new MotionPriorLoss(new MotionPriorLossOptions(CosineWeight: -1)));
    }

    internal static MotionPrior RandomPrior()
    {
        var prior = new MotionPrior(MotionPriorConfig.Tiny);
        using (no_grad()) foreach (var p in prior.parameters()) p.normal_(0, 0.3);
        return prior;
    }
}
