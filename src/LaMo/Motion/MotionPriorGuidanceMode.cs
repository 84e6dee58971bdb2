namespace LaMo.Motion;

/// <summary>Where Motion Prior Guidance takes its gradient step.</summary>
public enum MotionPriorGuidanceMode
{
    /// <summary>The published method: v ← v − λ ∇_v L_guide. Through x̂₀ = √ᾱ x_t − √(1−ᾱ) v this is a step of
    /// λ(1 − ᾱ_t) on x̂₀, so the correction fades as the sample gets clean.</summary>
    VelocityGradient,

    /// <summary>Paper ablation ("direct latent edit", worse in the paper): x̂₀ ← x̂₀ − λ ∇_{x̂₀} L_guide with no
    /// (1 − ᾱ_t) attenuation, returned as the v that the scheduler turns into that x̂₀ for the same x_t,
    /// v' = v + λ ∇_{x̂₀} L / √(1 − ᾱ_t).</summary>
    DirectLatentEdit,
}
