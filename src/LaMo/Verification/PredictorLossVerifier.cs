using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces <c>lamo_predictor_loss</c>: the deterministic L_φ terms, the prediction, every recorded
/// parameter gradient (<c>grad.*</c>), the null-prompt loss and its gradient, and the <c>stochastic.*</c> run by
/// replaying the recorded draws.</summary>
public sealed class PredictorLossVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "lamo_predictor_loss";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        using var prior = GoldenMotion.LoadPrior(golden);
        var parameters = prior.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
        var latents = golden.Inputs["latents"];
        var prompt = golden.Inputs["prompt_pooled"];
        double alpha = GoldenMotion.Scalar(golden, "cosine_weight");
        var results = new List<VerifyResult>();

        // Deterministic part: no augmentation, no dropout.
        var deterministic = new MotionPriorLoss(new MotionPriorLossOptions(alpha, 0, GoldenMotion.Scalar(golden, "noise_aug_scale"), 0));
        prior.zero_grad();
        var r = deterministic.Compute(prior, latents, prompt);
        r.Loss.backward();
        results.Add(golden.Compare("loss", r.Loss));
        results.Add(golden.Compare("mse_loss", r.Mse));
        results.Add(golden.Compare("cos_loss", r.CosLoss));
        results.Add(golden.Compare("cos_sim_mean", r.CosSimMean));
        results.Add(golden.Compare("delta_z_pred", r.Prediction));
        foreach (var output in golden.Outputs.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = output["grad.".Length..];
            results.Add(parameters.TryGetValue(name, out var p) && p.grad is { } g
                ? golden.Compare(output, g) : GoldenMotion.Missing(golden, output, $"no gradient for parameter '{name}'"));
        }

        prior.zero_grad();
        var rNull = deterministic.Compute(prior, latents, null);
        rNull.Loss.backward();
        results.Add(golden.Compare("loss_null_prompt", rNull.Loss));
        results.Add(parameters["null_prompt"].grad is { } gn
            ? golden.Compare("grad_of_loss_null_prompt.null_prompt", gn)
            : GoldenMotion.Missing(golden, "grad_of_loss_null_prompt.null_prompt", "null_prompt got no gradient"));
        prior.zero_grad();

        // Stochastic part: replay the recorded draws.
        var draws = new RecordedMotionPriorDraws(golden.Outputs["stochastic.draw_prompt_keep_rand"], golden.Outputs["stochastic.draw_aug_rand"],
            golden.Outputs["stochastic.draw_aug_timesteps"], golden.Outputs["stochastic.draw_noise"]);
        var stochastic = new MotionPriorLoss(new MotionPriorLossOptions(alpha, GoldenMotion.Scalar(golden, "noise_aug_prob"),
            GoldenMotion.Scalar(golden, "noise_aug_scale"), GoldenMotion.Scalar(golden, "prompt_dropout_prob")), draws);
        using (no_grad())
        {
            var s = stochastic.Compute(prior, latents, prompt, golden.Inputs["scheduler_alphas_cumprod"]);
            results.Add(golden.Compare("stochastic.loss", s.Loss));
            results.Add(golden.Compare("stochastic.mse_loss", s.Mse));
            results.Add(golden.Compare("stochastic.cos_loss", s.CosLoss));
            results.Add(golden.Compare("stochastic.delta_z_pred", s.Prediction));
        }
        return results;
    }
}
