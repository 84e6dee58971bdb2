using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>A denoising scheduler as the sampling pipeline sees it: the pipeline never asks which kind it holds.</summary>
/// <remarks>Typical loop: <c>SetTimesteps(n)</c>; for each t in <see cref="Timesteps"/>: v = model(x, t); guidance may read
/// <see cref="AlphaCumprod"/>(t); x = <c>Step(v, t, x, noise).PrevSample</c>. Multistep state (DPM's previous x̂₀)
/// lives inside the scheduler and is reset by <see cref="SetTimesteps"/>; <see cref="IDisposable.Dispose"/> releases it.</remarks>
public interface IScheduler : IDisposable
{
    /// <summary>The configuration the scheduler was built from.</summary>
    SchedulerConfig Config { get; }

    /// <summary>The float64 training tables (betas, ᾱ).</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>Timesteps of the current inference schedule, descending; empty before <see cref="SetTimesteps"/>.</summary>
    IReadOnlyList<int> Timesteps { get; }

    /// <summary>Number of inference steps set by <see cref="SetTimesteps"/>, or null before.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>Standard deviation of the initial noise (1 for these schedulers; multiply the first latents by it).</summary>
    double InitNoiseSigma { get; }

    /// <summary>Chooses <paramref name="numInferenceSteps"/> timesteps and resets any multistep state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in [1, num_train_timesteps].</exception>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>The timestep the step from <paramref name="timestep"/> lands on, <c>t − N / n</c> (integer division,
    /// as diffusers); negative at the last step, where ᾱ_prev is <see cref="NoiseSchedule.FinalAlphaCumprod"/>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    int PreviousTimestep(int timestep);

    /// <summary>ᾱ_t in float64 from the training table (for guidance and losses).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, N).</exception>
    double AlphaCumprod(int timestep);

    /// <summary>One denoising step from <paramref name="timestep"/> to <see cref="PreviousTimestep"/>.</summary>
    /// <param name="modelOutput">The (guided) model output, [B, F, C, H, W] or any shape matching the sample.</param>
    /// <param name="timestep">The current timestep t, normally an element of <see cref="Timesteps"/>.</param>
    /// <param name="sample">x_t.</param>
    /// <param name="noise">Noise for stochastic schedulers (null: the global torch generator); deterministic ones ignore it.</param>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    SchedulerStep Step(Tensor modelOutput, int timestep, Tensor sample, INoiseSource? noise = null);

    /// <summary>x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε per batch element (diffusers <c>add_noise</c>; ᾱ cast to the sample's dtype).</summary>
    /// <param name="originalSamples">x₀, [B, …].</param>
    /// <param name="noise">ε, same shape.</param>
    /// <param name="timesteps">Integer timesteps, [B].</param>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);

    /// <summary>v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ per batch element (diffusers <c>get_velocity</c>, the v-prediction target).</summary>
    /// <param name="sample">x₀, [B, …].</param>
    /// <param name="noise">ε, same shape.</param>
    /// <param name="timesteps">Integer timesteps, [B].</param>
    Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps);
}
