using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>A flow-matching scheduler (Wan's): x_t = (1 − σ)·x₀ + σ·ε, the model predicts v = ε − x₀ and the timestep
/// the model sees is σ·N. A parallel seam to <see cref="IScheduler"/>, which is built around an ᾱ table and integer
/// timesteps; a flow scheduler has neither (its σ table is the schedule, and its timesteps may be non-integer).</summary>
/// <remarks>Typical loop: <c>SetTimesteps(n)</c>; <c>SetBeginIndex(0)</c> (as the Wan pipelines do); for each t in
/// <see cref="Timesteps"/>: v = model(x, t); x = <c>Step(v, t, x).PrevSample</c>. Multistep state lives in the scheduler
/// and is reset by <see cref="SetTimesteps"/>.</remarks>
public interface IFlowScheduler : IDisposable
{
    /// <summary>The diffusers class name (<c>_class_name</c>).</summary>
    string ClassName { get; }

    /// <summary>Number of training timesteps N (the model sees t = σ·N).</summary>
    int NumTrainTimesteps { get; }

    /// <summary>Timesteps of the current inference schedule, descending, as float64 copies of diffusers' values
    /// (float32 for FlowMatchEuler, integers for UniPC); empty before <see cref="SetTimesteps"/>.</summary>
    IReadOnlyList<double> Timesteps { get; }

    /// <summary>The inference σ table, float32, one longer than <see cref="Timesteps"/> (the final σ, normally 0).</summary>
    IReadOnlyList<float> Sigmas { get; }

    /// <summary>Number of inference steps set by <see cref="SetTimesteps"/>, or null before.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>Index of the next step, or null before the first <see cref="Step"/>.</summary>
    int? StepIndex { get; }

    /// <summary>Index the first step starts at when set by <see cref="SetBeginIndex"/>, or null.</summary>
    int? BeginIndex { get; }

    /// <summary>Standard deviation of the initial noise (1).</summary>
    double InitNoiseSigma { get; }

    /// <summary>Chooses <paramref name="numInferenceSteps"/> timesteps and resets the step index and any multistep state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1.</exception>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>Makes the first step start at <paramref name="beginIndex"/> instead of looking its timestep up.</summary>
    void SetBeginIndex(int beginIndex);

    /// <summary>The diffusers-typed timesteps tensor (float32 for FlowMatchEuler, int64 for UniPC).</summary>
    Tensor TimestepsTensor();

    /// <summary>The σ table as a float32 tensor [n + 1].</summary>
    Tensor SigmasTensor();

    /// <summary>One step from the current index to the next.</summary>
    /// <param name="modelOutput">The (guided) velocity v̂, the sample's shape.</param>
    /// <param name="timestep">The current timestep, an element of <see cref="Timesteps"/> (used to find the index on
    /// the first step when no begin index is set).</param>
    /// <param name="sample">x_t.</param>
    /// <returns>x at the next σ, and x̂₀ = x_t − σ·v̂ at this step.</returns>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called, or the schedule is
    /// finished.</exception>
    SchedulerStep Step(Tensor modelOutput, double timestep, Tensor sample);

    /// <summary>x_t = (1 − σ)·x₀ + σ·ε per batch element, σ looked up from <paramref name="timesteps"/> [B] as diffusers'
    /// <c>add_noise</c> / <c>scale_noise</c> does (by begin / step index when set, else by timestep).</summary>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);
}
