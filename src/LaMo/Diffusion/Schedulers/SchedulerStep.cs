using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>The result of one scheduler step.</summary>
/// <param name="PrevSample">x_{t_prev}, the next model input; same shape and dtype as the sample.</param>
/// <param name="PredOriginalSample">x̂₀ predicted at this step (for previews, guidance, and DPM's next step).</param>
public readonly record struct SchedulerStep(Tensor PrevSample, Tensor PredOriginalSample);
