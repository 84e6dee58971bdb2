using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>A video diffusion backbone as LaMo's training sees it: the model call, the prediction type (output ↔ x̂₀),
/// the forward noising, the family's own denoising loss, its noise levels and its latent layout. The training task,
/// the Motion Drift Loss's weight and the predictor's augmentation reach the backbone only through this seam;
/// CogVideoX (<see cref="CogVideoXBackbone"/>, v-prediction over a discrete ᾱ table) is its first implementation.</summary>
/// <remarks>Latent tensors passed to and returned by the methods are in <see cref="Layout"/>; timesteps are one per
/// batch element, [B], in the family's own form (integer for CogVideoX). Returned tensors are new and the caller's.</remarks>
public interface IDiffusionBackbone
{
    /// <summary>The denoiser network (switched to training mode, optimised and saved by the training task).</summary>
    nn.Module Denoiser { get; }

    /// <summary>Where the latents keep their frame axis.</summary>
    LatentLayout Layout { get; }

    /// <summary>The training noise schedule as LaMo's losses need it.</summary>
    INoiseLevels NoiseLevels { get; }

    /// <summary>x_t for clean latents <paramref name="x0"/> and unit noise <paramref name="noise"/> at <paramref name="timesteps"/>.</summary>
    Tensor AddNoise(Tensor x0, Tensor noise, Tensor timesteps);

    /// <summary>The model output (float32) for x_t = <paramref name="xt"/> and text embeddings <paramref name="textEmbeds"/>
    /// [B, L, D]; differentiable in the denoiser's parameters when gradients are on.</summary>
    Tensor Predict(Tensor xt, Tensor textEmbeds, Tensor timesteps);

    /// <summary>x̂₀ from the model output <paramref name="prediction"/> at x_t = <paramref name="xt"/>.</summary>
    Tensor PredictX0(Tensor prediction, Tensor xt, Tensor timesteps);

    /// <summary>The model output whose x̂₀ is <paramref name="x0"/> (the inverse of <see cref="PredictX0"/>).</summary>
    Tensor PredictionFromX0(Tensor x0, Tensor xt, Tensor timesteps);

    /// <summary>The family's denoising loss (a scalar) from x̂₀ and the clean latents <paramref name="x0"/>.</summary>
    Tensor DenoisingLoss(Tensor x0Hat, Tensor x0, Tensor timesteps);
}
