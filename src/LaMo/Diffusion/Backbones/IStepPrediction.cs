using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>How a backbone's output and the clean-latent estimate x̂₀ convert into each other at one denoising step
/// (x_t fixed): what guidance that reads or edits x̂₀ needs to know of the prediction type.</summary>
/// <remarks>For every family here x̂₀ is affine in the output, x̂₀ = a·x_t − c·output (v-prediction: a = √ᾱ, c = √(1−ᾱ);
/// flow: a = 1, c = σ), so an edit of x̂₀ maps to an edit of the output by <see cref="PredictionChange"/>.</remarks>
public interface IStepPrediction
{
    /// <summary>x̂₀ from the model output <paramref name="prediction"/> at x_t = <paramref name="xt"/>; differentiable
    /// in both.</summary>
    Tensor PredictX0(Tensor prediction, Tensor xt);

    /// <summary>The model output whose x̂₀ at x_t = <paramref name="xt"/> is <paramref name="x0"/> (the inverse of
    /// <see cref="PredictX0"/>; requires <see cref="CanInvert"/>).</summary>
    Tensor PredictionFromX0(Tensor x0, Tensor xt);

    /// <summary>The change of the model output that moves x̂₀ by <paramref name="x0Change"/> at a fixed x_t:
    /// −<paramref name="x0Change"/>/c (requires <see cref="CanInvert"/>).</summary>
    Tensor PredictionChange(Tensor x0Change);

    /// <summary>Whether x̂₀ still depends on the output at this step (c &gt; 0), so that the inverse exists.</summary>
    bool CanInvert { get; }
}
