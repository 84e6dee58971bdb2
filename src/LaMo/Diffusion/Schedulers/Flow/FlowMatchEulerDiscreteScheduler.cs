using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>diffusers' <c>FlowMatchEulerDiscreteScheduler</c> (v0.40, static shift): x_{σ'} = x_σ + (σ' − σ)·v.</summary>
/// <remarks>The training table is σ_i = shift(i/N) for i = N … 1 in float32 (timesteps σ·N). The default inference
/// schedule is numpy's linspace between that table's σ_max·N and σ_min·N, divided by N and <b>shifted again</b> in
/// float64, so the inference σ are shifted twice (except σ = 1); it is cast to float32, the timesteps are σ·N in
/// float32 (non-integer), and a final σ = 0 is appended. Without a begin index the first step finds its index by
/// equality on the float32 timesteps (the second match when duplicated). The step is computed in float32 and
/// returned in the model output's dtype. Holds no tensors between steps.</remarks>
public sealed class FlowMatchEulerDiscreteScheduler : FlowSchedulerBase
{
    private readonly float[] _trainSigmas;

    /// <summary>Builds the scheduler and its training table from <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException">The config asks for an option this port does not implement.</exception>
    public FlowMatchEulerDiscreteScheduler(FlowMatchEulerSchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int n = config.NumTrainTimesteps;
        _trainSigmas = new float[n];
        for (int i = 0; i < n; i++) _trainSigmas[i] = FlowSigmas.ShiftF32((n - i) / (float)n, config.Shift);
    }

    /// <summary>The configuration.</summary>
    public FlowMatchEulerSchedulerConfig Config { get; }

    /// <inheritdoc />
    public override string ClassName => SchedulerFactory.FlowMatchEuler;

    /// <inheritdoc />
    public override int NumTrainTimesteps => Config.NumTrainTimesteps;

    /// <summary>The training σ table (float32, descending from 1, shifted once): what training draws σ from.</summary>
    public IReadOnlyList<float> TrainSigmas => _trainSigmas;

    /// <summary>The training σ table as a tensor [N] (float32).</summary>
    public Tensor TrainSigmasTensor() => tensor(_trainSigmas, ScalarType.Float32, device: CPU);

    /// <summary>The training timesteps σ·N (float32) as a tensor [N].</summary>
    public Tensor TrainTimestepsTensor() => tensor(_trainSigmas.Select(s => s * NumTrainTimesteps).ToArray(), ScalarType.Float32, device: CPU);

    /// <inheritdoc />
    protected override (double[] Timesteps, float[] Sigmas) BuildSchedule(int numInferenceSteps)
    {
        int n = NumTrainTimesteps;
        double sigmaMax = _trainSigmas[0], sigmaMin = _trainSigmas[^1];
        var t = FlowSigmas.Linspace(sigmaMax * n, sigmaMin * n, numInferenceSteps);
        var sigmas = new float[numInferenceSteps + 1];
        var timesteps = new double[numInferenceSteps];
        for (int i = 0; i < numInferenceSteps; i++)
        {
            sigmas[i] = (float)FlowSigmas.Shift(t[i] / n, Config.Shift);
            timesteps[i] = sigmas[i] * (float)n;
        }
        return (timesteps, sigmas);
    }

    /// <inheritdoc />
    public override Tensor TimestepsTensor() => tensor(Timesteps.Select(t => (float)t).ToArray(), ScalarType.Float32, device: CPU);

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="timestep"/> is not in the schedule.</exception>
    protected override int IndexForTimestep(double timestep)
    {
        float t = (float)timestep;
        var hits = Enumerable.Range(0, Timesteps.Count).Where(i => (float)Timesteps[i] == t).ToList();
        if (hits.Count == 0) throw new ArgumentException($"timestep {timestep} is not in the {Timesteps.Count}-step schedule", nameof(timestep));
        return hits[hits.Count > 1 ? 1 : 0];
    }

    /// <inheritdoc />
    /// <remarks>x̂₀ = x_t − σ·v is returned as the predicted original sample (diffusers does not return it).</remarks>
    public override SchedulerStep Step(Tensor modelOutput, double timestep, Tensor sample)
    {
        RequireSameShape(modelOutput, sample);
        int i = CurrentIndex(timestep);
        float sigma = Sigmas[i], dt = Sigmas[i + 1] - Sigmas[i];
        var x = sample.to_type(ScalarType.Float32);
        var prev = x.add(modelOutput * Sc(dt), Sc(1)).to_type(modelOutput.dtype);
        var x0 = (x - modelOutput * Sc(sigma)).to_type(modelOutput.dtype);
        StepIndex = i + 1;
        return new SchedulerStep(prev, x0);
    }
}
