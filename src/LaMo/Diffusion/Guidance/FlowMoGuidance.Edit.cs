using static TorchSharp.torch;

namespace LaMo.Diffusion.Guidance;

/// <summary>The outcome of FlowMo's latent optimisation at one step. The caller owns the tensors.</summary>
/// <param name="Latents">The edited latent x_t′, [B, F, C, H, W], detached.</param>
/// <param name="InitialLoss">Per-video variance loss at the unedited x_t, [B], detached.</param>
/// <param name="Velocity">v re-predicted at x_t′ when <see cref="FlowMoOptions.Repredict"/> is set, else null.</param>
public sealed record FlowMoEdit(Tensor Latents, Tensor InitialLoss, Tensor? Velocity);
