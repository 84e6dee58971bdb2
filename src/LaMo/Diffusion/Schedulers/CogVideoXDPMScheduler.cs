using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>CogVideoX's stochastic DPM-Solver++(2M) scheduler (SDE form, as SAT's <c>VPSDEDPMPP2MSampler</c>).</summary>
/// <remarks>Port of diffusers <c>CogVideoXDPMScheduler.step</c> (scheduling_dpm_cogvideox.py, v0.33). Every step draws one
/// noise tensor; the second-order branch (previous x̂₀ known and not the last step) draws a second one and uses only
/// that. All multipliers are float64 and follow IEEE infinities at ᾱ = 0 (t = 999): λ = −∞, h = +∞ gives mult1 = 0,
/// mult2 = −√ᾱ_prev; on the next step r = +∞ gives mult3 = 1, mult4 = 0.
/// With <see cref="ChainPreviousX0"/> (diffusers' CogVideoXPipeline) the previous x̂₀ and timestep are kept here and
/// reset by <see cref="CogVideoXSchedulerBase.SetTimesteps"/>; without it (LaMo's pipeline) every step is first order.</remarks>
public sealed class CogVideoXDPMScheduler : CogVideoXSchedulerBase
{
    private Tensor? _oldPredOriginalSample;
    private int? _lastTimestep;

    /// <summary>Builds the scheduler from a diffusers scheduler config.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="chainPreviousX0">See <see cref="ChainPreviousX0"/>.</param>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException"><c>clip_sample</c> is true.</exception>
    public CogVideoXDPMScheduler(SchedulerConfig config, bool chainPreviousX0 = true) : base(config) =>
        ChainPreviousX0 = chainPreviousX0;

    /// <summary>True: feed each step's x̂₀ into the next (second order, diffusers' pipeline). False: always first order
    /// (LaMo's <c>pipeline_cogvideox_lamo.py</c> passes no previous x̂₀).</summary>
    public bool ChainPreviousX0 { get; }

    /// <inheritdoc />
    protected override void ResetState()
    {
        _oldPredOriginalSample?.Dispose();
        _oldPredOriginalSample = null;
        _lastTimestep = null;
    }

    /// <inheritdoc />
    public override SchedulerStep Step(Tensor modelOutput, int timestep, Tensor sample, INoiseSource? noise = null)
    {
        var result = ChainPreviousX0
            ? Step(modelOutput, _oldPredOriginalSample, timestep, _lastTimestep, sample, noise)
            : Step(modelOutput, null, timestep, null, sample, noise);
        if (ChainPreviousX0)
        {
            // Keep our own copy outside the caller's dispose scope; the caller may dispose its tensors.
            var keep = result.PredOriginalSample.detach().clone().DetachFromDisposeScope();
            _oldPredOriginalSample?.Dispose();
            _oldPredOriginalSample = keep;
            _lastTimestep = timestep;
        }
        return result;
    }

    /// <summary>One step with explicit multistep arguments, as diffusers' <c>step(model_output, old_pred_original_sample,
    /// timestep, timestep_back, sample)</c>. Leaves the internal chaining state untouched.</summary>
    /// <param name="modelOutput">Model output at <paramref name="timestep"/>.</param>
    /// <param name="oldPredOriginalSample">x̂₀ of the previous step, or null for a first-order step.</param>
    /// <param name="timestep">Current timestep t.</param>
    /// <param name="timestepBack">Timestep of the previous step (where <paramref name="oldPredOriginalSample"/> came from), or null.</param>
    /// <param name="sample">x_t.</param>
    /// <param name="noise">Noise source (null: the global torch generator).</param>
    /// <exception cref="InvalidOperationException"><see cref="CogVideoXSchedulerBase.SetTimesteps"/> has not been called.</exception>
    /// <exception cref="ArgumentException">An old x̂₀ is given without <paramref name="timestepBack"/>.</exception>
    public SchedulerStep Step(Tensor modelOutput, Tensor? oldPredOriginalSample, int timestep, int? timestepBack, Tensor sample,
        INoiseSource? noise = null)
    {
        // Notation: pred_original_sample = x̂₀; alpha_prod_t = ᾱ_t; λ = log √(ᾱ/(1−ᾱ)); h = λ_prev − λ_t;
        // r = h_last / h (previous step's log-SNR gap over this one's); DPM-Solver++(2M), SDE variant.
        int prevTimestep = PreviousTimestep(timestep);
        double alphaProdT = AlphaCumprod(timestep);
        double alphaProdTPrev = Schedule.AlphaCumprodOrFinal(prevTimestep);
        double? alphaProdTBack = timestepBack is int tb ? AlphaCumprod(tb) : null;
        var predOriginalSample = PredictOriginalSample(modelOutput, sample, alphaProdT);

        double lamb = Lambda(alphaProdT), lambNext = Lambda(alphaProdTPrev);
        double h = lambNext - lamb;
        double mult1 = Math.Sqrt((1 - alphaProdTPrev) / (1 - alphaProdT)) * Math.Exp(-h);
        double mult2 = Expm1(-2 * h) * Math.Sqrt(alphaProdTPrev);
        double multNoise = Math.Sqrt(1 - alphaProdTPrev) * Math.Sqrt(1 - Math.Exp(-2 * h));

        var source = noise ?? GeneratorNoiseSource.Global;
        var z = source.Randn(sample.shape, sample.dtype, sample.device);
        if (oldPredOriginalSample is null || prevTimestep < 0)
        {
            // First order (also the last step, even with an old x̂₀).
            var first = (sample * Sc(mult1) - predOriginalSample * Sc(mult2)).add(z * Sc(multNoise), Sc(1));
            return new SchedulerStep(first, predOriginalSample);
        }
        if (alphaProdTBack is not double aBack)
            throw new ArgumentException("timestepBack is required with an old pred_original_sample", nameof(timestepBack));

        double r = (lamb - Lambda(aBack)) / h;
        double mult3 = 1 + 1 / (2 * r), mult4 = 1 / (2 * r);
        var denoisedD = predOriginalSample * Sc(mult3) - oldPredOriginalSample * Sc(mult4);
        // diffusers draws a fresh tensor here; the first draw is discarded but has advanced the generator.
        var z2 = source.Randn(sample.shape, sample.dtype, sample.device);
        var xAdvanced = (sample * Sc(mult1) - denoisedD * Sc(mult2)).add(z2 * Sc(multNoise), Sc(1));
        return new SchedulerStep(xAdvanced, predOriginalSample);
    }

    /// <summary>λ = log √(ᾱ / (1 − ᾱ)); −∞ at ᾱ = 0 and +∞ at ᾱ = 1.</summary>
    private static double Lambda(double alphaCumprod) => Math.Log(Math.Sqrt(alphaCumprod / (1 - alphaCumprod)));

    /// <summary>eˣ − 1 accurate near 0 (Kahan's trick); .NET has no Math.Expm1.</summary>
    internal static double Expm1(double x)
    {
        if (double.IsPositiveInfinity(x)) return x;
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) ResetState();
    }
}
