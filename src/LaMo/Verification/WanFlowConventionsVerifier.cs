using LaMo.Diffusion.Schedulers.Flow;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>wan_flow_conventions</c> reference case: at several indices, both Wan schedulers'
/// noising, one step with the exact velocity v = ε − x₀, the x̂₀ it implies and the exact sample at the next σ.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class WanFlowConventionsVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "wan_flow_conventions";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var s = golden.Scalars;
        string json = s.GetProperty("scheduler_config").GetRawText();
        double shift = s.GetProperty("flow_shift").GetDouble();
        int n = H.Int(s, "num_inference_steps");
        var x0 = H.Input(golden, "x0");
        var noise = H.Input(golden, "noise");
        var v = H.Input(golden, "velocity");
        var results = new List<VerifyResult>();
        foreach (int i in s.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()))
        {
            IFlowScheduler Unipc() => new UniPCMultistepScheduler(UniPCSchedulerConfig.Parse(json, $"{golden.Name}.json scalars.scheduler_config"));
            IFlowScheduler Euler() => WanFlowMatchEulerSchedulerVerifier.Create(shift);
            results.AddRange(One(golden, $"idx{i}.unipc", Unipc, i, n, x0, noise, v, integer: true));
            results.AddRange(One(golden, $"idx{i}.euler", Euler, i, n, x0, noise, v, integer: false));
        }
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }

    private static List<VerifyResult> One(GoldenCase golden, string tag, Func<IFlowScheduler> create, int i, int n,
        Tensor x0, Tensor noise, Tensor v, bool integer)
    {
        var results = new List<VerifyResult>();
        using var scheduler = create();
        scheduler.SetTimesteps(n);
        Tensor At(IFlowScheduler sch, int k) => integer ? tensor(new[] { (long)sch.Timesteps[k] }) : tensor(new[] { (float)sch.Timesteps[k] });
        var t = At(scheduler, i);
        results.Add(golden.Compare($"{tag}.timestep", t.reshape([])));
        results.Add(golden.Compare($"{tag}.sigma", tensor(scheduler.Sigmas[i])));
        var xt = scheduler.AddNoise(x0, noise, t);
        results.Add(golden.Compare($"{tag}.x_t", xt));
        scheduler.SetBeginIndex(i);
        var step = scheduler.Step(v, scheduler.Timesteps[i], xt);
        if (integer) results.Add(golden.Compare($"{tag}.x0_pred", step.PredOriginalSample));
        results.Add(golden.Compare($"{tag}.prev_sample", step.PrevSample));
        if (i + 1 < n)
        {
            using var fresh = create();
            fresh.SetTimesteps(n);
            results.Add(golden.Compare($"{tag}.x_next_exact", fresh.AddNoise(x0, noise, At(fresh, i + 1))));
        }
        return results;
    }
}
