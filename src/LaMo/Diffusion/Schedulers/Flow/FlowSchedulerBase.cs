using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>What the two flow schedulers share: the inference tables, the begin / step index (diffusers'
/// <c>_init_step_index</c>) and <c>add_noise</c>. Subclasses build the tables and take the step.</summary>
public abstract class FlowSchedulerBase : IFlowScheduler
{
    private double[] _timesteps = [];
    private float[] _sigmas = [];

    /// <inheritdoc />
    public abstract string ClassName { get; }

    /// <inheritdoc />
    public abstract int NumTrainTimesteps { get; }

    /// <inheritdoc />
    public IReadOnlyList<double> Timesteps => _timesteps;

    /// <inheritdoc />
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <inheritdoc />
    public int? NumInferenceSteps { get; private set; }

    /// <inheritdoc />
    public int? StepIndex { get; protected set; }

    /// <inheritdoc />
    public int? BeginIndex { get; private set; }

    /// <inheritdoc />
    public double InitNoiseSigma => 1.0;

    /// <inheritdoc />
    public void SetTimesteps(int numInferenceSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numInferenceSteps, 1);
        (_timesteps, _sigmas) = BuildSchedule(numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
        StepIndex = null; BeginIndex = null;
        ResetState();
    }

    /// <summary>The timesteps [n] and σ [n + 1] of an n-step schedule.</summary>
    protected abstract (double[] Timesteps, float[] Sigmas) BuildSchedule(int numInferenceSteps);

    /// <summary>Clears multistep state; called by <see cref="SetTimesteps"/>.</summary>
    protected virtual void ResetState() { }

    /// <inheritdoc />
    public void SetBeginIndex(int beginIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(beginIndex);
        BeginIndex = beginIndex;
    }

    /// <summary>The schedule index of <paramref name="timestep"/> (diffusers' <c>index_for_timestep</c> of the subclass).</summary>
    protected abstract int IndexForTimestep(double timestep);

    /// <inheritdoc />
    public abstract Tensor TimestepsTensor();

    /// <inheritdoc />
    public Tensor SigmasTensor() => tensor(_sigmas, ScalarType.Float32, device: CPU);

    /// <summary>The index of the step about to be taken: the begin index, or the timestep's index on the first step.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="SetTimesteps"/>, or past the last step.</exception>
    protected int CurrentIndex(double timestep)
    {
        if (NumInferenceSteps is null)
            throw new InvalidOperationException($"{ClassName}: call SetTimesteps before Step (the number of inference steps is not set).");
        StepIndex ??= BeginIndex ?? IndexForTimestep(timestep);
        if (StepIndex >= _timesteps.Length)
            throw new InvalidOperationException($"{ClassName}: the {_timesteps.Length}-step schedule is finished (step index {StepIndex}).");
        return StepIndex.Value;
    }

    /// <inheritdoc />
    public abstract SchedulerStep Step(Tensor modelOutput, double timestep, Tensor sample);

    /// <inheritdoc />
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(originalSamples);
        ArgumentNullException.ThrowIfNull(timesteps);
        if (NumInferenceSteps is null)
            throw new InvalidOperationException($"{ClassName}: call SetTimesteps before AddNoise (σ is looked up in the inference schedule).");
        var ts = timesteps.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var sig = ts.Select(t => _sigmas[BeginIndex is null ? IndexForTimestep(t) : StepIndex ?? BeginIndex.Value]).ToArray();
        using var sigma = tensor(sig, ScalarType.Float32, device: CPU).to(originalSamples.device).to_type(originalSamples.dtype);
        return FlowMath.AddNoise(originalSamples, noise, sigma);
    }

    /// <summary>Throws when <paramref name="modelOutput"/> and <paramref name="sample"/> differ in shape.</summary>
    protected static void RequireSameShape(Tensor modelOutput, Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (!modelOutput.shape.SequenceEqual(sample.shape))
            throw new ArgumentException($"model output [{string.Join(",", modelOutput.shape)}] must have the sample's shape [{string.Join(",", sample.shape)}]", nameof(modelOutput));
    }

    /// <summary>Releases native state held between steps.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases held tensors when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing) { }
}
