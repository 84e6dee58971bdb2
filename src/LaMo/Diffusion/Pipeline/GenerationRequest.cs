using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>What to generate. Validated by <see cref="Validate"/> before anything is allocated.</summary>
/// <remarks>Defaults are CogVideoX's pipeline defaults (50 steps, CFG 6) except the frame size, which the caller sets.</remarks>
public sealed record GenerationRequest
{
    /// <summary>Prompts, one video each (B = count). Ignored when <see cref="PromptEmbeds"/> is given.</summary>
    public IReadOnlyList<string> Prompts { get; init; } = [];

    /// <summary>Negative prompt for classifier-free guidance (empty = unconditional).</summary>
    public string NegativePrompt { get; init; } = "";

    /// <summary>Precomputed positive prompt embeddings [B, L, D] (borrowed), e.g. from a latent cache.</summary>
    public Tensor? PromptEmbeds { get; init; }

    /// <summary>Precomputed negative prompt embeddings [B, L, D] (borrowed); required with <see cref="PromptEmbeds"/> when CFG is on.</summary>
    public Tensor? NegativePromptEmbeds { get; init; }

    /// <summary>RGB frames, 1 + k·(temporal compression).</summary>
    public int NumFrames { get; init; } = 49;

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; init; } = 480;

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Denoising steps.</summary>
    public int NumInferenceSteps { get; init; } = 50;

    /// <summary>Classifier-free guidance scale w (≤ 1 disables CFG: one model call per step).</summary>
    public double GuidanceScale { get; init; } = 6.0;

    /// <summary>CogVideoX's dynamic CFG schedule (diffusers' formula, see <see cref="ClassifierFreeGuidance.DynamicScale"/>).</summary>
    public bool UseDynamicCfg { get; init; }

    /// <summary>Seed of the initial noise and of stochastic scheduler steps.</summary>
    public long Seed { get; init; }

    /// <summary>Continuation mode: clean latents [B, F_given, C, h, w] (scaled) whose frames are imposed at every step
    /// (replaced by the correspondingly noised ground truth), so any backbone continues given frames unchanged.</summary>
    public Tensor? ConditioningLatents { get; init; }

    /// <summary>Initial noise (borrowed) instead of the seeded draw, in the pipeline's latent shape (diffusers'
    /// <c>latents</c> argument); only <see cref="WanPipeline"/> takes it.</summary>
    public Tensor? InitialLatents { get; init; }

    /// <summary>Decode to RGB (false: latents only).</summary>
    public bool Decode { get; init; } = true;

    /// <summary>Checks every field against the model's geometry; throws <see cref="ArgumentException"/> naming the field.</summary>
    public void Validate(int spatialFactor, int temporalFactor, int patchSize)
    {
        if (PromptEmbeds is null && Prompts.Count == 0) throw new ArgumentException("give at least one prompt or prompt_embeds", nameof(Prompts));
        if (Prompts.Any(p => p is null)) throw new ArgumentException("prompts must not contain null", nameof(Prompts));
        int px = spatialFactor * patchSize;
        if (Height <= 0 || Height % px != 0) throw new ArgumentException($"height ({Height}) must be a positive multiple of {px} (VAE factor {spatialFactor} × patch {patchSize})", nameof(Height));
        if (Width <= 0 || Width % px != 0) throw new ArgumentException($"width ({Width}) must be a positive multiple of {px} (VAE factor {spatialFactor} × patch {patchSize})", nameof(Width));
        if (NumFrames < 1 || (NumFrames - 1) % temporalFactor != 0) throw new ArgumentException($"num_frames ({NumFrames}) must be 1 + k·{temporalFactor}", nameof(NumFrames));
        if (NumInferenceSteps is < 1 or > 1000) throw new ArgumentException($"num_inference_steps ({NumInferenceSteps}) must be in [1, 1000]", nameof(NumInferenceSteps));
        if (!double.IsFinite(GuidanceScale) || GuidanceScale < 0) throw new ArgumentException($"guidance_scale ({GuidanceScale}) must be a finite number ≥ 0", nameof(GuidanceScale));
        if (PromptEmbeds is not null && PromptEmbeds.dim() != 3) throw new ArgumentException("prompt_embeds must be [B, L, D]", nameof(PromptEmbeds));
        if (PromptEmbeds is not null && GuidanceScale > 1 && NegativePromptEmbeds is null)
            throw new ArgumentException("negative_prompt_embeds are required with prompt_embeds when guidance_scale > 1", nameof(NegativePromptEmbeds));
        if (ConditioningLatents is not null && ConditioningLatents.dim() != 5) throw new ArgumentException("conditioning_latents must be [B, F_given, C, h, w]", nameof(ConditioningLatents));
    }
}
