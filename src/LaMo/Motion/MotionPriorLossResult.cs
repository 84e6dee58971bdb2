using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The terms of L_φ. Tensors are owned by the caller's dispose scope.</summary>
/// <param name="Loss">L_φ = MSE + α·(1 − cos), scalar, differentiable w.r.t. φ.</param>
/// <param name="Mse">MSE(Δẑ, Δz), scalar.</param>
/// <param name="CosLoss">mean over pairs of (1 − cos), scalar.</param>
/// <param name="CosSimMean">mean cosine similarity, scalar, detached (a log value).</param>
/// <param name="Prediction">Δẑ [B·(T−1), C, H, W].</param>
/// <param name="Pairs">Number of frame pairs N = B·(T−1).</param>
public sealed record MotionPriorLossResult(Tensor Loss, Tensor Mse, Tensor CosLoss, Tensor CosSimMean, Tensor Prediction, long Pairs);
