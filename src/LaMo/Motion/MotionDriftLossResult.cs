using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The Motion Drift Loss terms (scalars, float32). Tensors belong to the caller's dispose scope.</summary>
/// <param name="Total">λ·w·L_drift, to add to the denoising loss (differentiable w.r.t. x̂₀).</param>
/// <param name="Weight">w = mean_b max(0, 1 − σ_b²).</param>
/// <param name="RelL2">L_drift = mean_{b,f} ‖μ̂ − μ*‖² / sg(max(‖μ*‖², ε)).</param>
public sealed record MotionDriftLossResult(Tensor Total, Tensor Weight, Tensor RelL2);
