using LaMo.Motion;
using LaMo.Diffusion;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces <c>lamo_motion_prior_guidance</c>: the pooled positive prompt, v_guided and δv per recorded
/// step (inside and outside the window), the prior's input and output per guided step, and the null-prompt path.</summary>
public sealed class MotionPriorGuidanceVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "lamo_motion_prior_guidance";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        using var prior = GoldenMotion.LoadPrior(golden);
        var options = new MotionPriorGuidanceOptions(GoldenMotion.Scalar(golden, "guidance_lambda"), GoldenMotion.Scalar(golden, "guidance_step_ratio"));
        var guidance = new MotionPriorGuidance(prior, options);
        int total = GoldenMotion.IntScalar(golden, "total_steps");
        var v = golden.Inputs["v_cfg"];
        var xt = golden.Inputs["x_t"];
        var embeds = golden.Inputs["prompt_embeds"];
        var table = golden.Inputs["alphas_cumprod"];
        var timesteps = golden.Inputs["timesteps"];
        var results = new List<VerifyResult> { golden.Compare("prompt_pooled", MotionPrior.PoolPrompt(embeds)) };

        var seen = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        guidance.Observe = (k, t) => seen[k] = t.detach().clone().MoveToOuterDisposeScope();   // survive Apply's own scope
        foreach (var s in golden.Scalars.GetProperty("steps").EnumerateArray().Select(e => e.GetInt32()))
        {
            seen.Clear();
            var ctx = Context(s, total, timesteps, table, xt, v, embeds);
            var guided = guidance.Apply(ctx);
            results.Add(golden.Compare($"v_guided.step{s:D2}", guided));
            results.Add(golden.Compare($"delta_v.step{s:D2}", guided - v));
            foreach (var (k, t) in seen)
                if (golden.Outputs.ContainsKey($"intermediate.step{s:D2}.{k}")) results.Add(golden.Compare($"intermediate.step{s:D2}.{k}", t));
        }
        int nullStep = GoldenMotion.IntScalar(golden, "null_prompt_step");
        var guidedNull = guidance.Apply(Context(nullStep, total, timesteps, table, xt, v, null));
        results.Add(golden.Compare($"v_guided_null_prompt.step{nullStep:D2}", guidedNull));
        results.Add(golden.Compare($"delta_v_null_prompt.step{nullStep:D2}", guidedNull - v));
        return results;
    }

    private static GuidanceContext Context(int step, int total, Tensor timesteps, Tensor table, Tensor xt, Tensor v, Tensor? embeds)
    {
        int t = (int)timesteps[step].item<long>();
        double abar = table[Math.Clamp(t, 0, (int)table.shape[0] - 1)].item<double>();
        return new GuidanceContext(step, total, t, abar, xt, v, embeds);
    }
}
