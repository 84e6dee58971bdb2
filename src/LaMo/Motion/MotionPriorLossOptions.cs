namespace LaMo.Motion;

/// <summary>Settings of the prior's objective L_φ = MSE + α·(1 − cos), docs/method.md §1 "Predictor objective".</summary>
/// <param name="CosineWeight">α, the weight of the direction term.</param>
/// <param name="NoiseAugProb">Probability per frame pair of noise-augmenting the input frame (0 disables the draws).</param>
/// <param name="NoiseAugScale">s in z ← z + s·√(1−ᾱ[t'])·ε.</param>
/// <param name="PromptDropoutProb">Probability per frame pair of replacing the pooled prompt with zeros (0 disables the draw).</param>
public sealed record MotionPriorLossOptions(
    double CosineWeight = 0.3,
    double NoiseAugProb = 0.5,
    double NoiseAugScale = 0.3,
    double PromptDropoutProb = 0.1)
{
    /// <summary>The published settings.</summary>
    public static MotionPriorLossOptions Default { get; } = new();

    /// <summary>No augmentation and no prompt dropout: a deterministic loss (evaluation, gradient checks).</summary>
    public static MotionPriorLossOptions Deterministic { get; } = new(NoiseAugProb: 0, PromptDropoutProb: 0);

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MotionPriorLossOptions Validate()
    {
        if (!(CosineWeight >= 0)) throw new ArgumentException($"CosineWeight ({CosineWeight}) must be >= 0", nameof(CosineWeight));
        Probability(NoiseAugProb, nameof(NoiseAugProb));
        if (!(NoiseAugScale >= 0)) throw new ArgumentException($"NoiseAugScale ({NoiseAugScale}) must be >= 0", nameof(NoiseAugScale));
        Probability(PromptDropoutProb, nameof(PromptDropoutProb));
        return this;
    }

    private static void Probability(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name} ({p}) must be in [0, 1]", name);
    }
}
