using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Video;
using LaMo.Workflows;
using LaMo.World;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>What the study needs of a backbone family, through the pipeline seam: CogVideoX (continuation and
/// text-to-video, every arm) or Wan (continuation and text-to-video, every arm; the gate is not wired for Wan yet and is
/// refused by name before anything runs).</summary>
public static class StudyBackbone
{
    /// <summary>True when the base pipeline folder is a Wan pipeline.</summary>
    public static bool IsWan(string basePipeline) => PipelineFolder.IsWan(basePipeline);

    /// <summary>Refuses, in one line each, what the Wan family cannot do in the study.</summary>
    /// <exception cref="ArgumentException">The quality gate on a Wan base.</exception>
    public static void Check(StudyOptions o, string basePipeline)
    {
        if (!Directory.Exists(basePipeline) || !IsWan(basePipeline)) return;
        if (o.GateSplit is not null)
            throw new ArgumentException("--gate: the quality gate is not wired for Wan pipelines yet; leave --gate out (run lamo sample --given-frames and lamo eval gate instead)");
    }

    /// <summary>A generation through <see cref="WanPipeline"/> with one guidance term (Motion Prior Guidance or FlowMo):
    /// text-to-video when <paramref name="givenFrames"/> is 0, else the continuation of the first
    /// <paramref name="givenFrames"/> RGB frames of <paramref name="gtLatents"/>.</summary>
    /// <param name="pipeline">Wan pipeline (LoRA merged) with no guidance of its own.</param>
    /// <param name="clip">Ground truth (caption and geometry).</param>
    /// <param name="gtLatents">The clip's normalised latents, frames-first [1, F', C, h, w] (continuation), or null.</param>
    /// <param name="guidance">Guidance term for this generation, or null.</param>
    /// <param name="seed">Noise seed (the same for every arm).</param>
    /// <param name="steps">Denoising steps.</param>
    /// <param name="cfg">Classifier-free guidance scale.</param>
    /// <param name="givenFrames">RGB frames given (0: text-to-video).</param>
    /// <param name="ct">Cancellation.</param>
    public static Continuation GenerateWan(WanPipeline pipeline, WorldClip clip, Tensor? gtLatents, IGuidance? guidance, long seed, int steps, double cfg,
        int givenFrames, CancellationToken ct = default)
    {
        using var guided = new WanPipeline(pipeline.Transformer, pipeline.Vae, pipeline.Scheduler, pipeline.TextEncoder)
        {
            Guidance = guidance is null ? [] : [guidance], ExpandTimesteps = pipeline.ExpandTimesteps,
        };
        var r = Continuations.Generate(guided, new GenerationRequest
        {
            Prompts = [clip.Caption], NumFrames = clip.Render.Frames, Height = clip.Render.Height, Width = clip.Render.Width,
            NumInferenceSteps = steps, GuidanceScale = cfg, Seed = seed,
        }, gtLatents, givenFrames, clip.Render.Fps, ct: ct);
        return new Continuation(FrameConversions.ToEvaluation(r.Video), r.Seconds, null);
    }

    /// <summary>The clip through the Wan VAE: encode (mode, normalised as the pipeline normalises), de-normalise and decode.</summary>
    public static Evaluation.FrameStack WanRoundTrip(WanPipeline pipeline, StudyClip clip)
    {
        var vae = pipeline.Vae ?? throw new InvalidOperationException("the Wan base pipeline has no VAE");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = VideoTensor.FromFrames(FrameConversions.ToVideo(clip.Render(), clip.World.Render.Fps));   // [F, 3, H, W]
        using var dist = vae.Encode(x.permute(1, 0, 2, 3).unsqueeze(0));                                   // [1, 3, F, H, W]
        var z = vae.NormalizeLatents(dist.Mode());                                                          // [1, C, F', h, w]
        var rgb = pipeline.DecodeLatents(z);                                                                // [1, F, 3, H, W]
        return FrameConversions.ToEvaluation(VideoTensor.ToFrames(rgb[0], clip.World.Render.Fps));
    }
}
