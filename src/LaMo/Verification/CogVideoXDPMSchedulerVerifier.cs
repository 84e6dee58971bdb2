using LaMo.Diffusion.Schedulers;
using System.Text.Json;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>cogvideox_dpm_scheduler</c> reference case: the ᾱ table, timesteps, and every chain
/// (A: diffusers chaining from t = 999; B, C: chaining from a given old x̂₀; L: LaMo's first-order steps) with the
/// recorded noise replayed. Each <c>noise_drawJ</c> output passes only if our step drew exactly that many tensors.</summary>
public sealed class CogVideoXDPMSchedulerVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "cogvideox_dpm_scheduler";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var config = H.ReadConfig(golden, "scheduler_config");
        var results = new List<VerifyResult>();
        using (var probe = new CogVideoXDPMScheduler(config))
        {
            results.Add(H.Strict(golden, "alphas_cumprod", probe.Schedule.AlphasCumprodTensor()));
            foreach (int n in new[] { 50, 10 })
            {
                probe.SetTimesteps(n);
                results.Add(golden.Compare($"timesteps_{n}", H.TimestepsTensor(probe)));
            }
        }
        foreach (var chain in golden.Scalars.GetProperty("chains").EnumerateObject())
            results.AddRange(VerifyChain(golden, config, chain.Name, chain.Value));
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }

    private static List<VerifyResult> VerifyChain(GoldenCase golden, SchedulerConfig config, string chain, JsonElement spec)
    {
        var results = new List<VerifyResult>();
        int count = H.Int(spec, "n"), start = H.Int(spec, "start");
        bool lamo = H.Flag(spec, "lamo_style");
        golden.Inputs.TryGetValue($"{chain}.old_pred_original_sample", out var old);
        // Chains starting fresh run through the pipeline-facing stateful Step; chains resuming from a given old x̂₀
        // use the explicit overload, exactly as recorded.
        bool stateful = lamo || (old is null && start == 0);
        using var scheduler = new CogVideoXDPMScheduler(config, chainPreviousX0: !lamo);
        scheduler.SetTimesteps(H.Int(spec, "num_inference_steps"));
        var latents = H.Input(golden, $"{chain}.sample");
        for (int k = 0; k < count; k++)
        {
            int i = start + k;
            string prefix = $"{chain}.step{k}";
            var recorded = golden.Outputs.Where(kv => kv.Key.StartsWith(prefix + ".noise_draw", StringComparison.Ordinal))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var noise = new CountingNoiseSource(recorded.Select(kv => kv.Value));
            var modelOutput = H.Input(golden, $"{chain}.model_output_{k}");
            int t = scheduler.Timesteps[i];
            SchedulerStep step;
            try
            {
                step = stateful
                    ? scheduler.Step(modelOutput, t, latents, noise)
                    : scheduler.Step(modelOutput, lamo ? null : old, t, i > 0 ? scheduler.Timesteps[i - 1] : null, latents, noise);
            }
            catch (InvalidOperationException e) // more draws than recorded
            {
                results.Add(new VerifyResult(golden.Name, $"{prefix}.prev_sample", double.NaN, 0, false, e.Message));
                break;
            }
            results.Add(golden.Compare($"{prefix}.prev_sample", step.PrevSample));
            results.Add(golden.Compare($"{prefix}.pred_original_sample", step.PredOriginalSample));
            for (int j = 0; j < recorded.Count; j++)
            {
                results.Add(j < noise.Drawn.Count && noise.Drawn.Count == recorded.Count
                    ? golden.Compare(recorded[j].Key, noise.Drawn[j])
                    : new VerifyResult(golden.Name, recorded[j].Key, double.NaN, 0, false,
                        $"our step drew {noise.Drawn.Count} noise tensors, the reference {recorded.Count}"));
            }
            latents = step.PrevSample;
            old = step.PredOriginalSample;
        }
        return results;
    }

    /// <summary>Replays recorded draws and remembers what was handed out.</summary>
    private sealed class CountingNoiseSource(IEnumerable<Tensor> draws) : INoiseSource
    {
        private readonly RecordedNoiseSource _inner = new(draws);

        public List<Tensor> Drawn { get; } = [];

        public Tensor Randn(long[] shape, ScalarType dtype, Device device)
        {
            var t = _inner.Randn(shape, dtype, device);
            Drawn.Add(t);
            return t;
        }
    }
}
