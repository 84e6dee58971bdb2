using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces <c>lamo_predictor_forward</c>: prompt pooling (masked and plain), the forward pass with a
/// prompt, the null prompt and a zero (dropped) prompt, the FiLM conditions and the layer intermediates.</summary>
public sealed class PredictorForwardVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "lamo_predictor_forward";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        using var prior = GoldenMotion.LoadPrior(golden);
        using var _ = no_grad();
        var z = golden.Inputs["z_t"];
        var embeds = golden.Inputs["prompt_embeds"];
        var masked = MotionPrior.PoolPrompt(embeds, golden.Inputs["prompt_attention_mask"]);
        var plain = MotionPrior.PoolPrompt(embeds);
        var zero = golden.Inputs["prompt_zero"];
        long n = z.shape[0];
        var intermediates = new Dictionary<string, Tensor>(StringComparer.Ordinal);

        yield return golden.Compare("prompt_pooled_masked", masked);
        yield return golden.Compare("prompt_pooled_nomask", plain);
        yield return golden.Compare("delta_prompt", prior.Forward(z, masked, null, (k, t) => intermediates[k] = t));
        foreach (var (name, t) in intermediates) yield return golden.Compare("intermediate." + name, t);
        yield return golden.Compare("delta_prompt_nomask", prior.forward(z, plain));
        yield return golden.Compare("delta_null", prior.forward(z, null));
        yield return golden.Compare("delta_zero", prior.forward(z, zero));
        yield return Cond(golden, prior, "cond_prompt", masked, n);
        yield return Cond(golden, prior, "cond_null", null, n);
        yield return Cond(golden, prior, "cond_zero", zero, n);
    }

    private static VerifyResult Cond(GoldenCase golden, MotionPrior prior, string output, Tensor? p, long n) =>
        prior.ProjectPrompt(p, n) is { } c ? golden.Compare(output, c) : GoldenMotion.Missing(golden, output, "prompt conditioning is off");
}
