using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Generated videos; the caller owns (and disposes) the tensors.</summary>
/// <param name="Latents">Final latents [B, F', C, h, w] (scaled, as the transformer sees them).</param>
/// <param name="Video">Decoded RGB [B, F, 3, H, W] in [-1, 1], or null when decoding was not asked for.</param>
/// <param name="StepSeconds">Wall time of each denoising step.</param>
public sealed record GenerationResult(Tensor Latents, Tensor? Video, IReadOnlyList<double> StepSeconds) : IDisposable
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
