using System.Globalization;
using System.Text.Json;
using LaMo.Diffusion.Schedulers.Flow;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>wan_unipc_flow_scheduler</c> reference case: the once-shifted flow schedules with
/// truncated int64 timesteps, a full 10-step chain (predictor orders 1, 2, …, 2, 1 with the corrector) and a chain
/// begun mid-schedule, each step's x̂₀ and order, and <c>add_noise</c>.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class WanUniPCSchedulerVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "wan_unipc_flow_scheduler";

    /// <summary>The Wan pipelines' scheduler with <paramref name="flowShift"/>, from the case's own config dict.</summary>
    internal static UniPCMultistepScheduler Create(GoldenCase golden, double flowShift)
    {
        var configs = golden.Scalars.GetProperty("scheduler_config");
        string key = flowShift.ToString("0.0", CultureInfo.InvariantCulture);
        return new UniPCMultistepScheduler(UniPCSchedulerConfig.Parse(configs.GetProperty(key).GetRawText(), $"{golden.Name}.json scalars.scheduler_config.{key}"));
    }

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var results = new List<VerifyResult>();
        var s = golden.Scalars;
        foreach (double shift in s.GetProperty("flow_shifts").EnumerateArray().Select(e => e.GetDouble()))
        {
            string tag = "shift" + shift.ToString("0.##", CultureInfo.InvariantCulture);
            using var scheduler = Create(golden, shift);
            foreach (int n in s.GetProperty("num_inference_steps").EnumerateArray().Select(e => e.GetInt32()))
            {
                scheduler.SetTimesteps(n);
                results.Add(golden.Compare($"{tag}.timesteps_{n}", scheduler.TimestepsTensor()));
                results.Add(golden.Compare($"{tag}.sigmas_{n}", scheduler.SigmasTensor()));
            }
        }
        foreach (var chain in s.GetProperty("chains").EnumerateObject()) results.AddRange(Chain(golden, chain.Name, chain.Value));

        var an = s.GetProperty("add_noise");
        using (var scheduler = Create(golden, an.GetProperty("flow_shift").GetDouble()))
        {
            scheduler.SetTimesteps(H.Int(an, "num_inference_steps"));
            var t = tensor(an.GetProperty("indices").EnumerateArray().Select(e => (long)scheduler.Timesteps[e.GetInt32()]).ToArray());
            results.Add(golden.Compare("add_noise.timesteps", t));
            results.Add(golden.Compare("add_noise.x_t", scheduler.AddNoise(H.Input(golden, "add_noise.original_samples"), H.Input(golden, "add_noise.noise"), t)));
        }
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }

    private static IEnumerable<VerifyResult> Chain(GoldenCase golden, string name, JsonElement c)
    {
        using var scheduler = Create(golden, c.GetProperty("flow_shift").GetDouble());
        scheduler.SetTimesteps(H.Int(c, "num_inference_steps"));
        int start = H.Int(c, "start");
        scheduler.SetBeginIndex(start);
        var latents = H.Input(golden, $"{name}.sample");
        var results = new List<VerifyResult>();
        for (int k = 0; k < H.Int(c, "steps"); k++)
        {
            var step = scheduler.Step(H.Input(golden, $"{name}.model_output_{k}"), scheduler.Timesteps[start + k], latents);
            latents = step.PrevSample;
            results.Add(golden.Compare($"{name}.step{k}.prev_sample", latents));
            string x0 = $"intermediate.{name}.step{k}.x0_pred", order = $"intermediate.{name}.step{k}.order";
            if (golden.Outputs.ContainsKey(x0)) results.Add(golden.Compare(x0, step.PredOriginalSample));
            if (golden.Outputs.TryGetValue(order, out var reference))
                results.Add(golden.Compare(order, tensor((long)scheduler.LastOrder).to_type(reference.dtype)));
        }
        return results;
    }
}
