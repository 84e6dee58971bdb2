using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>What the two CogVideoX schedulers share: the tables, <c>set_timesteps</c>, ᾱ lookups, x̂₀ from the model
/// output, <c>add_noise</c> and <c>get_velocity</c>. Subclasses only add their <c>step</c>.</summary>
/// <remarks>Port of the common parts of diffusers <c>scheduling_ddim_cogvideox.py</c> / <c>scheduling_dpm_cogvideox.py</c> (v0.33).
/// Step coefficients are float64 scalars multiplied into the sample's dtype, exactly as diffusers' 0-d float64
/// tensors are.</remarks>
public abstract class CogVideoXSchedulerBase : IScheduler
{
    private int[] _timesteps = [];

    /// <summary>Builds the tables from <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The config is invalid (the message names the field).</exception>
    /// <exception cref="NotSupportedException"><c>clip_sample</c> is true: the CogVideoX steps never clip.</exception>
    protected CogVideoXSchedulerBase(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        // diffusers accepts clip_sample but its CogVideoX steps ignore it; we reject rather than silently ignore.
        if (config.ClipSample)
            throw new NotSupportedException("`clip_sample` (true) is not implemented by the CogVideoX schedulers (diffusers ignores it); set it to false.");
        Config = config;
        Schedule = NoiseSchedule.FromConfig(config);
    }

    /// <inheritdoc />
    public SchedulerConfig Config { get; }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> Timesteps => _timesteps;

    /// <inheritdoc />
    public int? NumInferenceSteps { get; private set; }

    /// <inheritdoc />
    public double InitNoiseSigma => 1.0;

    /// <inheritdoc />
    public void SetTimesteps(int numInferenceSteps)
    {
        _timesteps = InferenceTimesteps.Compute(Config, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
        ResetState();
    }

    /// <summary>Clears multistep state; called by <see cref="SetTimesteps"/>.</summary>
    protected virtual void ResetState() { }

    /// <inheritdoc />
    public int PreviousTimestep(int timestep) => timestep - Config.NumTrainTimesteps / RequireTimesteps();

    /// <inheritdoc />
    public double AlphaCumprod(int timestep) => Schedule.AlphaCumprod(timestep);

    /// <summary>The inference step count, or throws when <see cref="SetTimesteps"/> has not been called.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="SetTimesteps"/>.</exception>
    protected int RequireTimesteps() => NumInferenceSteps
        ?? throw new InvalidOperationException($"{GetType().Name}: call SetTimesteps before Step (the number of inference steps is not set).");

    /// <inheritdoc />
    public abstract SchedulerStep Step(Tensor modelOutput, int timestep, Tensor sample, INoiseSource? noise = null);

    /// <summary>x̂₀ from the model output at ᾱ_t (DDIM Eq. 12), per <see cref="SchedulerConfig.PredictionType"/>.</summary>
    protected Tensor PredictOriginalSample(Tensor modelOutput, Tensor sample, double alphaProdT)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (!modelOutput.shape.SequenceEqual(sample.shape))
            throw new ArgumentException($"model output [{string.Join(",", modelOutput.shape)}] must have the sample's shape [{string.Join(",", sample.shape)}]", nameof(modelOutput));
        double betaProdT = 1 - alphaProdT;
        return Config.PredictionType switch
        {
            PredictionType.Epsilon => (sample - modelOutput * Sc(Math.Sqrt(betaProdT))) / Sc(Math.Sqrt(alphaProdT)),
            PredictionType.Sample => modelOutput.alias(),
            PredictionType.VPrediction => sample * Sc(Math.Sqrt(alphaProdT)) - modelOutput * Sc(Math.Sqrt(betaProdT)),
            _ => throw new NotSupportedException($"prediction_type {Config.PredictionType} is not supported"),
        };
    }

    /// <inheritdoc />
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(originalSamples);
        using var a = Schedule.Gather(timesteps, originalSamples.dtype, originalSamples.device);
        return DiffusionMath.AddNoise(originalSamples, noise, a);
    }

    /// <inheritdoc />
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using var a = Schedule.Gather(timesteps, sample.dtype, sample.device);
        return DiffusionMath.VelocityTarget(sample, noise, a);
    }

    /// <summary>Releases native state held between steps (none in the base).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases held tensors when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing) { }
}
