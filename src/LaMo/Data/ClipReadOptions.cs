using LaMo.Video;

namespace LaMo.Data;

/// <summary>How training clips are cut from source videos.</summary>
/// <param name="Frames">Frames per clip (1 + 4k for the causal VAE, not enforced here).</param>
/// <param name="Width">Bucket width after resize + centre crop.</param>
/// <param name="Height">Bucket height.</param>
/// <param name="Sampling">Stride or target fps; null means every frame.</param>
/// <param name="Strict">Throw at the first bad file instead of skipping it.</param>
/// <param name="FolderFps">Frame rate assumed for image-sequence folders.</param>
public sealed record ClipReadOptions(int Frames = 17, int Width = 64, int Height = 64, FrameSampling? Sampling = null,
    bool Strict = false, double FolderFps = 10)
{
    /// <summary>The sampling in effect (every frame when <see cref="Sampling"/> is null).</summary>
    public FrameSampling EffectiveSampling => Sampling ?? new FrameSampling();
}
