using LaMo.Diffusion.Backbones;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Generated videos; the caller owns (and disposes) the tensors.</summary>
/// <param name="Latents">Final latents as the transformer sees them (scaled or normalised), in <paramref name="Layout"/>:
/// [B, F', C, h, w] for CogVideoX, [B, C, F', h, w] for Wan.</param>
/// <param name="Video">Decoded RGB [B, F, 3, H, W] in [-1, 1], or null when decoding was not asked for.</param>
/// <param name="StepSeconds">Wall time of each denoising step.</param>
/// <param name="Layout">Where <paramref name="Latents"/> keep their frame axis.</param>
public sealed record GenerationResult(Tensor Latents, Tensor? Video, IReadOnlyList<double> StepSeconds,
    LatentLayout Layout = LatentLayout.FramesFirst) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Latents.Dispose();
        Video?.Dispose();
    }
}

/// <summary>Progress of one denoising step.</summary>
/// <param name="Index">Step index s (0 = noisiest).</param>
/// <param name="Count">Total steps.</param>
/// <param name="Timestep">Scheduler timestep t.</param>
public sealed record DenoiseStep(int Index, int Count, int Timestep);
