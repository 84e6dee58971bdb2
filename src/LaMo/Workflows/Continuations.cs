using LaMo.Diffusion.Pipeline;
using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary>What one generation produced: the video, its wall time and (when asked for) its final latents.</summary>
/// <param name="Video">RGB frames.</param>
/// <param name="Seconds">Wall time of <see cref="CogVideoXPipeline.Generate"/> incl. decoding.</param>
/// <param name="Latents">Final latents [1, F', C, h, w] when asked for (caller owns), else null.</param>
public sealed record GeneratedVideo(VideoFrames Video, double Seconds, Tensor? Latents);

/// <summary>Continuation mode, shared by <c>lamo sample --given-frames</c> and the study: encode the given clip with
/// the pipeline's VAE, impose its first latent frames at every step, let the pipeline generate the rest.</summary>
public static class Continuations
{
    /// <summary>Scaled clean latents [1, F', C, h, w] of <paramref name="video"/> (VAE mode, as the latent cache does).</summary>
    public static Tensor Encode(CogVideoXPipeline pipeline, VideoFrames video)
    {
        var vae = pipeline.Vae ?? throw new InvalidOperationException("the pipeline has no VAE");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var x = VideoTensor.FromFrames(video);                                                 // [F, 3, H, W]
        using var dist = vae.Encode(x.permute(1, 0, 2, 3).unsqueeze(0));                            // [1, 3, F, H, W]
        var z = vae.ScaleLatents(dist.Mode()).permute(0, 2, 1, 3, 4).contiguous();                  // [1, C, F', h, w] → [1, F', C, h, w]
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>Decodes scaled latents [1, F', C, h, w] to RGB frames at <paramref name="fps"/>.</summary>
    public static VideoFrames Decode(CogVideoXPipeline pipeline, Tensor latents, double fps)
    {
        using var scope = NewDisposeScope();
        var rgb = pipeline.DecodeLatents(latents);                                                   // [1, F, 3, H, W]
        return VideoTensor.ToFrames(rgb[0], fps);
    }

    /// <summary>Generates one video with <paramref name="pipeline"/> (its guidance included): text-to-video when
    /// <paramref name="givenFrames"/> is 0, else the continuation of the first <paramref name="givenFrames"/> RGB frames
    /// of <paramref name="givenLatents"/> [1, F', C, h, w].</summary>
    /// <param name="pipeline">Pipeline (LoRA merged, guidance attached).</param>
    /// <param name="request">Prompt, geometry, steps, CFG and seed; its conditioning latents are set here.</param>
    /// <param name="givenLatents">Encoded given clip (see <see cref="Encode(CogVideoXPipeline, VideoFrames)"/>), or null for text-to-video.</param>
    /// <param name="givenFrames">RGB frames given (0, or 1 + 4k).</param>
    /// <param name="fps">Frame rate of the returned video.</param>
    /// <param name="keepLatents">Return the final latents too.</param>
    /// <param name="ct">Cancellation.</param>
    public static GeneratedVideo Generate(CogVideoXPipeline pipeline, GenerationRequest request, Tensor? givenLatents, int givenFrames,
        double fps, bool keepLatents = false, CancellationToken ct = default) =>
        Run(r => pipeline.Generate(r, null, ct), pipeline.LatentFrames, request, givenLatents, givenFrames, fps, keepLatents);

    /// <summary>Normalised clean latents [1, F', C, h, w] of <paramref name="video"/> through a Wan pipeline's VAE (mode,
    /// normalised per channel as WanPipeline and the latent cache do), frames-first like <see cref="Encode(CogVideoXPipeline, VideoFrames)"/>.</summary>
    public static Tensor Encode(WanPipeline pipeline, VideoFrames video)
    {
        var vae = pipeline.Vae ?? throw new InvalidOperationException("the pipeline has no VAE");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var x = VideoTensor.FromFrames(video);                                                 // [F, 3, H, W]
        using var dist = vae.Encode(x.permute(1, 0, 2, 3).unsqueeze(0).to_type(vae.DType()));       // [1, 3, F, H, W]
        var z = vae.NormalizeLatents(dist.Mode()).to_type(ScalarType.Float32).transpose(1, 2).contiguous();   // [1, F', C, h, w]
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="Generate(CogVideoXPipeline, GenerationRequest, Tensor?, int, double, bool, CancellationToken)"/>,
    /// through a Wan pipeline; returned latents are frames-first [1, F', C, h, w].</summary>
    public static GeneratedVideo Generate(WanPipeline pipeline, GenerationRequest request, Tensor? givenLatents, int givenFrames,
        double fps, bool keepLatents = false, CancellationToken ct = default) =>
        Run(r => pipeline.Generate(r, null, ct), pipeline.LatentFrames, request, givenLatents, givenFrames, fps, keepLatents);

    // The part both families share: the given latent frames (frames-first) into the request, one generation, the video and,
    // when asked, the final latents frames-first (a channels-first result is transposed).
    private static GeneratedVideo Run(Func<GenerationRequest, GenerationResult> generate, Func<int, int> latentFrames, GenerationRequest request,
        Tensor? givenLatents, int givenFrames, double fps, bool keepLatents)
    {
        if (givenFrames > 0 && givenLatents is null) throw new ArgumentException("continuation needs the given clip's latents", nameof(givenLatents));
        using var scope = NewDisposeScope();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var r = generate(request with
        {
            ConditioningLatents = givenFrames > 0 ? givenLatents!.narrow(1, 0, latentFrames(givenFrames)) : null,   // [1, F_given, C, h, w]
        });
        double seconds = clock.Elapsed.TotalSeconds;
        var video = VideoTensor.ToFrames(r.Video![0], fps);
        Tensor? latents = null;
        if (keepLatents)
            latents = (r.Layout == Diffusion.Backbones.LatentLayout.ChannelsFirst ? r.Latents.transpose(1, 2).contiguous() : r.Latents.clone())
                .MoveToOuterDisposeScope();
        return new GeneratedVideo(video, seconds, latents);
    }

    /// <summary>Checks a given-frame count: 0 (text-to-video) or 1 + 4k below <paramref name="frames"/> (the causal
    /// VAE's 4x time compression gives whole latent frames only for those).</summary>
    /// <exception cref="ArgumentException">Otherwise (one line, naming <c>--given-frames</c>).</exception>
    public static void CheckGivenFrames(int givenFrames, int? frames = null, int temporalFactor = 4)
    {
        if (givenFrames < 0 || (givenFrames > 0 && (givenFrames - 1) % temporalFactor != 0))
            throw new ArgumentException($"--given-frames ({givenFrames}) must be 0 (text-to-video) or 1 + {temporalFactor}k (1, 5, 9, ...)");
        if (frames is { } f && givenFrames >= f)
            throw new ArgumentException($"--given-frames ({givenFrames}) must be below the clip's {f} frames, or nothing is generated");
    }

    /// <summary>The noise seed of clip <paramref name="clipIndex"/> under sampling seed <paramref name="seed"/>: different
    /// per clip, identical for every model sampled with that seed (the study's and <c>lamo sample --world</c>'s).</summary>
    public static long ClipSeed(long seed, int clipIndex) => seed * 100_003 + clipIndex;
}
