using LaMo.Models.CogVideoXVae;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models;

/// <summary>What training a video VAE from scratch needs of it (<c>lamo vae train</c>): the posterior of a clip, the raw
/// reconstruction of a latent sample, and which frame counts survive the round trip. The CogVideoX and Wan VAEs
/// implement it; how each normalises its latents afterwards (a scaling factor, per-channel statistics) stays with the
/// workflow that saves it.</summary>
public interface ITrainableVae
{
    /// <summary>The VAE as a module: its parameters are trained and checkpointed.</summary>
    nn.Module Module { get; }

    /// <summary>Clips of 1 + FrameStep·k frames decode back to the same frame count (8 for CogVideoX, whose temporal
    /// up-sampling keeps the first frame apart only for an odd latent count; 4 for Wan, whose encoder takes frame 0
    /// alone and then chunks of 4).</summary>
    int FrameStep { get; }

    /// <summary>Video [B, 3, F, H, W] in [−1, 1] → the posterior over (un-normalised) latents.</summary>
    LatentDistribution Encode(Tensor video);

    /// <summary>Latents → video, without any output clamp, so a reconstruction loss keeps its gradient everywhere.</summary>
    Tensor DecodeForLoss(Tensor latents);
}
