using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The heatmaps of docs/method.md §4 for one video. Tensors belong to the caller's dispose scope.</summary>
/// <param name="PeakFrame">f* = argmax_f ‖μ(f)‖.</param>
/// <param name="Tau">Lag τ of D and μ.</param>
/// <param name="BulkMotionNorms">‖μ(f)‖ for f = 0 … F−τ−1, [F−τ].</param>
/// <param name="DriftMap">R_drift [H, W] = |⟨D(f*)[:, h, w], μ(f*)⟩| / ‖μ(f*)‖.</param>
/// <param name="FieldMap">R_field [H, W] = ‖f_φ(z(f*), p) − f_φ(z_static, p)‖₂ per location.</param>
public sealed record InterpretabilityResult(int PeakFrame, int Tau, Tensor BulkMotionNorms, Tensor DriftMap, Tensor FieldMap);
