using LaMo.Diffusion.Backbones;
using static TorchSharp.torch;

namespace LaMo.Diffusion;

/// <summary>What a guidance term sees at one denoising step. Tensors are borrowed: the caller owns them.</summary>
/// <param name="StepIndex">Index s of the step, 0 = noisiest.</param>
/// <param name="StepCount">Total number of steps S.</param>
/// <param name="Timestep">The scheduler timestep t.</param>
/// <param name="AlphaCumprod">ᾱ_t (float64, from the scheduler's table).</param>
/// <param name="Latents">x_t, [B, F, C, H, W] (or as <paramref name="Layout"/> says).</param>
/// <param name="ModelOutput">The (already CFG-combined) model output, e.g. v, [B, F, C, H, W].</param>
/// <param name="PromptEmbeds">Positive prompt embeddings [B, L, D], or null when sampling without a prompt.</param>
/// <param name="Denoiser">Re-runs the backbone (with CFG) on a latent x_t at this step, differentiably, for guidance
/// that back-propagates through the model (FlowMo); null where the caller cannot offer it.</param>
/// <param name="Prediction">How the model output and x̂₀ convert into each other at this step (the backbone seam's
/// prediction type); null means CogVideoX's v-prediction at <paramref name="AlphaCumprod"/>.</param>
/// <param name="Layout">The layout of <paramref name="Latents"/> and <paramref name="ModelOutput"/> (frames-first for CogVideoX).</param>
public sealed record GuidanceContext(int StepIndex, int StepCount, int Timestep, double AlphaCumprod,
    Tensor Latents, Tensor ModelOutput, Tensor? PromptEmbeds, Func<Tensor, Tensor>? Denoiser = null,
    IStepPrediction? Prediction = null, LatentLayout Layout = LatentLayout.FramesFirst)
{
    /// <summary><see cref="Prediction"/>, or v-prediction at <see cref="AlphaCumprod"/> when none was given.</summary>
    public IStepPrediction StepPrediction => Prediction ?? new VPredictionStep(AlphaCumprod);
}

/// <summary>A term that modifies the model output at each denoising step (the pipeline's extension point;
/// Motion Prior Guidance and FlowMo plug in here). Applied in order after classifier-free guidance.</summary>
public interface IGuidance
{
    /// <summary>Returns the new model output (a new tensor, or an alias of <see cref="GuidanceContext.ModelOutput"/> when unchanged).</summary>
    Tensor Apply(GuidanceContext context);
}
