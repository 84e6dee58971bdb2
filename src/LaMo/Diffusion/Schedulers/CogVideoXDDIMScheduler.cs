using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>CogVideoX's deterministic DDIM scheduler (η = 0): x_prev = a_t·x_t + b_t·x̂₀ with
/// a_t = √((1−ᾱ_prev)/(1−ᾱ_t)), b_t = √ᾱ_prev − √ᾱ_t·a_t.</summary>
/// <remarks>Port of diffusers <c>CogVideoXDDIMScheduler</c> (scheduling_ddim_cogvideox.py, v0.33). The original accepts
/// η but ignores it; here η ≠ 0 is rejected. Holds no state between steps.</remarks>
public sealed class CogVideoXDDIMScheduler : CogVideoXSchedulerBase
{
    /// <summary>Builds the scheduler from a diffusers scheduler config.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException"><c>clip_sample</c> is true.</exception>
    public CogVideoXDDIMScheduler(SchedulerConfig config) : base(config) { }

    /// <inheritdoc />
    /// <remarks><paramref name="noise"/> is ignored: the step is deterministic.</remarks>
    public override SchedulerStep Step(Tensor modelOutput, int timestep, Tensor sample, INoiseSource? noise = null) =>
        Step(modelOutput, timestep, sample, eta: 0.0);

    /// <summary>One DDIM step with an explicit η, which must be 0.</summary>
    /// <exception cref="NotSupportedException"><paramref name="eta"/> is not 0.</exception>
    /// <exception cref="InvalidOperationException"><see cref="CogVideoXSchedulerBase.SetTimesteps"/> has not been called.</exception>
    public SchedulerStep Step(Tensor modelOutput, int timestep, Tensor sample, double eta)
    {
        if (eta != 0) throw new NotSupportedException("eta is not implemented by the CogVideoX DDIM step");
        // Notation (DDIM Eq. 12): pred_original_sample = x̂₀; alpha_prod_t = ᾱ_t; alpha_prod_t_prev = ᾱ at t − N/n,
        // or the final ᾱ (1 with set_alpha_to_one) past the end.
        int prevTimestep = PreviousTimestep(timestep);
        double alphaProdT = AlphaCumprod(timestep);
        double alphaProdTPrev = Schedule.AlphaCumprodOrFinal(prevTimestep);
        var predOriginalSample = PredictOriginalSample(modelOutput, sample, alphaProdT);

        double aT = Math.Sqrt((1 - alphaProdTPrev) / (1 - alphaProdT));
        double bT = Math.Sqrt(alphaProdTPrev) - Math.Sqrt(alphaProdT) * aT;
        var prevSample = (sample * Sc(aT)).add(predOriginalSample * Sc(bT), Sc(1));
        return new SchedulerStep(prevSample, predOriginalSample);
    }
}
