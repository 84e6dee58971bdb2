using System.Globalization;
using System.Text.Json;
using LaMo.Diffusion.Schedulers.Flow;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>wan_flow_match_euler_scheduler</c> reference case: the training tables for two shifts,
/// the (twice-shifted) inference schedules, a chain started with a begin index, a chain that finds its index by
/// timestep and ends at σ = 0, and <c>scale_noise</c>.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class WanFlowMatchEulerSchedulerVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "wan_flow_match_euler_scheduler";

    /// <summary>The scheduler diffusers builds as <c>FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=s)</c>.</summary>
    internal static FlowMatchEulerDiscreteScheduler Create(double shift) =>
        new(new FlowMatchEulerSchedulerConfig { NumTrainTimesteps = 1000, Shift = shift });

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var results = new List<VerifyResult>();
        var s = golden.Scalars;
        foreach (double shift in s.GetProperty("shifts").EnumerateArray().Select(e => e.GetDouble()))
        {
            string tag = "shift" + shift.ToString("0.##", CultureInfo.InvariantCulture);
            using var scheduler = Create(shift);
            results.Add(golden.Compare($"{tag}.train_sigmas", scheduler.TrainSigmasTensor()));
            results.Add(golden.Compare($"{tag}.train_timesteps", scheduler.TrainTimestepsTensor()));
            foreach (int n in s.GetProperty("num_inference_steps").EnumerateArray().Select(e => e.GetInt32()))
            {
                scheduler.SetTimesteps(n);
                results.Add(golden.Compare($"{tag}.timesteps_{n}", scheduler.TimestepsTensor()));
                results.Add(golden.Compare($"{tag}.sigmas_{n}", scheduler.SigmasTensor()));
            }
        }
        foreach (var chain in s.GetProperty("chains").EnumerateObject()) results.AddRange(Chain(golden, chain.Name, chain.Value));

        var sn = s.GetProperty("scale_noise");
        using (var scheduler = Create(sn.GetProperty("shift").GetDouble()))
        {
            scheduler.SetTimesteps(H.Int(sn, "num_inference_steps"));
            var t = tensor(sn.GetProperty("indices").EnumerateArray().Select(e => (float)scheduler.Timesteps[e.GetInt32()]).ToArray());
            results.Add(golden.Compare("scale_noise.timesteps", t));
            results.Add(golden.Compare("scale_noise.x_t", scheduler.AddNoise(H.Input(golden, "scale_noise.sample"), H.Input(golden, "scale_noise.noise"), t)));
        }
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }

    private static IEnumerable<VerifyResult> Chain(GoldenCase golden, string name, JsonElement c)
    {
        using var scheduler = Create(c.GetProperty("shift").GetDouble());
        scheduler.SetTimesteps(H.Int(c, "num_inference_steps"));
        int start = H.Int(c, "start");
        if (H.Flag(c, "begin_index")) scheduler.SetBeginIndex(start);
        var latents = H.Input(golden, $"{name}.sample");
        var results = new List<VerifyResult>();
        for (int k = 0; k < H.Int(c, "steps"); k++)
        {
            latents = scheduler.Step(H.Input(golden, $"{name}.model_output_{k}"), scheduler.Timesteps[start + k], latents).PrevSample;
            results.Add(golden.Compare($"{name}.step{k}.prev_sample", latents));
        }
        return results;
    }
}
