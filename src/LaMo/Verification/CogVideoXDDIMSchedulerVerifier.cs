using LaMo.Diffusion.Schedulers;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>cogvideox_ddim_scheduler</c> reference case: tables (2B and 5B), trailing timesteps,
/// deterministic steps, <c>add_noise</c> and <c>get_velocity</c> (both argument orders).</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class CogVideoXDDIMSchedulerVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "cogvideox_ddim_scheduler";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var results = new List<VerifyResult>();
        using var scheduler = new CogVideoXDDIMScheduler(H.ReadConfig(golden, "scheduler_config"));
        var schedule = scheduler.Schedule;
        using (var ac = schedule.AlphasCumprodTensor())
        {
            results.Add(H.Strict(golden, "alphas_cumprod", ac));
            results.Add(H.Strict(golden, "alphas_cumprod_f32", ac.to_type(ScalarType.Float32), atol: 0));
        }
        results.Add(H.Strict(golden, "betas", schedule.BetasTensor()));
        results.Add(golden.Compare("final_alpha_cumprod", tensor((float)schedule.FinalAlphaCumprod)));
        var schedule5B = NoiseSchedule.FromConfig(H.ReadConfig(golden, "scheduler_config_5b"));
        results.Add(H.Strict(golden, "alphas_cumprod_5b", schedule5B.AlphasCumprodTensor()));

        foreach (var steps in golden.Scalars.GetProperty("num_inference_steps").EnumerateArray().Select(e => e.GetInt32()))
        {
            scheduler.SetTimesteps(steps);
            results.Add(golden.Compare($"timesteps_{steps}", H.TimestepsTensor(scheduler)));
            if (!golden.Scalars.GetProperty("step_sets").TryGetProperty(steps.ToString(System.Globalization.CultureInfo.InvariantCulture), out var set))
                continue;
            foreach (int index in set.EnumerateArray().Select(e => e.GetInt32()))
            {
                string name = $"step{steps}_{index:D2}";
                var step = scheduler.Step(H.Input(golden, $"{name}.model_output"), scheduler.Timesteps[index],
                    H.Input(golden, $"{name}.sample"), eta: 0.0);
                results.Add(golden.Compare($"{name}.prev_sample", step.PrevSample));
                results.Add(golden.Compare($"{name}.pred_original_sample", step.PredOriginalSample));
            }
        }

        var x0 = H.Input(golden, "add_noise.original_samples");
        var noise = H.Input(golden, "add_noise.noise");
        var t = H.Input(golden, "add_noise.timesteps");
        results.Add(golden.Compare("add_noise", scheduler.AddNoise(x0, noise, t)));
        results.Add(golden.Compare("get_velocity", scheduler.GetVelocity(x0, noise, t)));
        // The trainers' x̂₀ = get_velocity(sample=v, noise=x_t): the same formula with the arguments swapped.
        results.Add(golden.Compare("get_velocity_as_x0", scheduler.GetVelocity(noise, x0, t)));
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }
}
