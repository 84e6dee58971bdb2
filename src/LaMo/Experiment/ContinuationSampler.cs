using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Workflows;
using LaMo.World;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>One continuation: the generated video, its final latents (when kept) and its wall time.</summary>
/// <param name="Video">RGB [F, H, W, 3].</param>
/// <param name="Seconds">Wall time of <see cref="CogVideoXPipeline.Generate"/> incl. decoding.</param>
/// <param name="Latents">Final latents [1, F', C, h, w] when asked for (caller owns), else null.</param>
public sealed record Continuation(Evaluation.FrameStack Video, double Seconds, Tensor? Latents);

/// <summary>Continuation mode (docs/physics-benchmark.md): encode the ground truth with the base VAE, give the first latent
/// frames, let a pipeline generate the rest with its guidance terms.</summary>
public static class ContinuationSampler
{
    private const double Fps = 1 / WorldConstants.FrameInterval;

    /// <summary>Scaled clean latents [1, F', C, h, w] of <paramref name="video"/> (VAE mode, as the latent cache does).</summary>
    public static Tensor Encode(CogVideoXPipeline pipeline, Evaluation.FrameStack video) =>
        Continuations.Encode(pipeline, FrameConversions.ToVideo(video, Fps));

    /// <summary>Decodes scaled latents [1, F', C, h, w] to RGB frames.</summary>
    public static Evaluation.FrameStack Decode(CogVideoXPipeline pipeline, Tensor latents) =>
        FrameConversions.ToEvaluation(Continuations.Decode(pipeline, latents, Fps));

    /// <summary>Generates the continuation of <paramref name="clip"/> from the first <paramref name="givenFrames"/> RGB
    /// frames of its encoded ground truth <paramref name="gtLatents"/> [1, F', C, h, w].</summary>
    /// <param name="pipeline">Backbone (LoRA merged) with no guidance of its own; <paramref name="guidance"/> is added.</param>
    /// <param name="clip">Ground truth (caption and geometry).</param>
    /// <param name="gtLatents">Encoded ground truth (null in text-to-video mode, <paramref name="givenFrames"/> = 0).</param>
    /// <param name="guidance">Guidance term for this generation, or null.</param>
    /// <param name="seed">Noise seed (the same for every variant).</param>
    /// <param name="steps">Denoising steps.</param>
    /// <param name="cfg">Classifier-free guidance scale.</param>
    /// <param name="givenFrames">RGB frames given (0 for text-to-video, or 1 + 4k).</param>
    /// <param name="keepLatents">Return the final latents too.</param>
    public static Continuation Generate(CogVideoXPipeline pipeline, WorldClip clip, Tensor? gtLatents, IGuidance? guidance, long seed,
        int steps, double cfg, int givenFrames, bool keepLatents = false)
    {
        using var guided = new CogVideoXPipeline(pipeline.Transformer, pipeline.Vae, pipeline.Scheduler, pipeline.TextEncoder)
        {
            Guidance = guidance is null ? [] : [guidance],
        };
        var r = Continuations.Generate(guided, new GenerationRequest
        {
            Prompts = [clip.Caption], NumFrames = clip.Render.Frames, Height = clip.Render.Height, Width = clip.Render.Width,
            NumInferenceSteps = steps, GuidanceScale = cfg, Seed = seed,
        }, gtLatents, givenFrames, clip.Render.Fps, keepLatents);
        return new Continuation(FrameConversions.ToEvaluation(r.Video), r.Seconds, r.Latents);
    }
}
