namespace LaMo.Diffusion.Guidance;

/// <summary>How <see cref="FlowMoGuidance"/> reduces the per-patch temporal variance map to one loss per video.</summary>
public enum FlowMoReduction
{
    /// <summary>Maximum over patches (what FlowMo optimises: the least coherent patch).</summary>
    Max,

    /// <summary>Mean over patches (ablation).</summary>
    Mean,
}

/// <summary>How <see cref="FlowMoGuidance"/> turns the gradient ∇_{x_t} L into a latent edit.</summary>
public enum FlowMoUpdateRule
{
    /// <summary>Adam on x_t with a fresh state each guided step (β₁ 0.9, β₂ 0.999, PyTorch defaults), as the
    /// released code does (<c>torch.optim.Adam([sample_opt], lr)</c>). Its first step is lr·g/(|g|+ε) ≈ lr·sign(g).</summary>
    Adam,

    /// <summary>Plain gradient descent: x_t ← x_t − lr·∇L.</summary>
    GradientDescent,
}

/// <summary>FlowMo hyper-parameters ("FlowMo: Variance-Based Flow Guidance for Coherent Motion in Video Generation",
/// Shaulov, Hazan, Wolf, Chefer, arXiv 2506.01144). Defaults follow the authors' released code (arielshaulov/FlowMo):
/// <c>MotionVarianceOptimizer(iterations=1, lr=0.005)</c> in <c>generate.py</c>, the max-over-locations
/// "motion variance" metric, and the twelve earliest timesteps of a 50-step schedule listed in <c>wan/text2video.py</c>.</summary>
/// <remarks>The released code targets Wan2.1 (flow matching); here x̂₀ comes from CogVideoX's v-prediction instead.
/// The paper's method text could not be cross-checked in our reference corpus beyond its abstract, so the numbers
/// above are the code's.</remarks>
public sealed record FlowMoOptions
{
    /// <summary>Step size of the latent edit (Adam learning rate in the released code).</summary>
    public double LearningRate { get; init; } = 0.005;

    /// <summary>FlowMo runs at steps s = 0 … GuidedSteps−1 (s = 0 is the noisiest): coarse motion is decided early.</summary>
    public int GuidedSteps { get; init; } = 12;

    /// <summary>Optimisation iterations per guided step (each is one backbone forward + backward).</summary>
    public int Iterations { get; init; } = 1;

    /// <summary>Side, in latent pixels, of the square patches whose |Δx̂₀| is averaged before the temporal variance.
    /// 1 (the default) is one variance per latent location, as the released code computes it.</summary>
    public int PatchSize { get; init; } = 1;

    /// <summary>Max (FlowMo) or mean over patches.</summary>
    public FlowMoReduction Reduction { get; init; } = FlowMoReduction.Max;

    /// <summary>Adam (released code) or plain gradient descent.</summary>
    public FlowMoUpdateRule UpdateRule { get; init; } = FlowMoUpdateRule.Adam;

    /// <summary>Adam's ε (PyTorch default).</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>When true, v is re-predicted at the edited latent (one extra backbone forward per guided step);
    /// when false (released code) the step's original v is kept and only the latent edit is folded in.</summary>
    public bool Repredict { get; init; }

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is out of range (names it and its value).</exception>
    public FlowMoOptions Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentException($"LearningRate ({LearningRate}) must be a finite number > 0", nameof(LearningRate));
        if (GuidedSteps < 0) throw new ArgumentException($"GuidedSteps ({GuidedSteps}) must be >= 0", nameof(GuidedSteps));
        if (Iterations < 1) throw new ArgumentException($"Iterations ({Iterations}) must be >= 1", nameof(Iterations));
        if (PatchSize < 1) throw new ArgumentException($"PatchSize ({PatchSize}) must be >= 1", nameof(PatchSize));
        if (!Enum.IsDefined(Reduction)) throw new ArgumentException($"Reduction ({Reduction}) is not a FlowMoReduction", nameof(Reduction));
        if (!Enum.IsDefined(UpdateRule)) throw new ArgumentException($"UpdateRule ({UpdateRule}) is not a FlowMoUpdateRule", nameof(UpdateRule));
        if (!(AdamEpsilon > 0)) throw new ArgumentException($"AdamEpsilon ({AdamEpsilon}) must be > 0", nameof(AdamEpsilon));
        return this;
    }
}
