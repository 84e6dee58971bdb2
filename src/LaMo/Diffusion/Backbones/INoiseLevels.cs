using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>What LaMo's losses need of a backbone family's training noise schedule: how training timesteps are drawn,
/// the noise level σ ∈ [0, 1] that weights the Motion Drift Loss, and the standard deviation of the noise in x_t that
/// the predictor's augmentation imitates.</summary>
/// <remarks>A discrete-time variance-preserving family (CogVideoX, <see cref="AlphaCumprodNoiseLevels"/>) has integer
/// timesteps, σ = t/N and a noise std √(1−ᾱ_t); a flow-matching family (Wan) has x_t = (1−σ)·x₀ + σ·ε, so both are
/// its flow σ. Tensors returned are new (the caller owns them) and float32.</remarks>
public interface INoiseLevels
{
    /// <summary>Number N of training timesteps; the predictor's augmentation draws t' ~ U{0 … N−1}.</summary>
    int NumTrainTimesteps { get; }

    /// <summary>Training timesteps for <paramref name="count"/> samples, drawn from <paramref name="generator"/>.</summary>
    Tensor SampleTimesteps(long count, Generator generator);

    /// <summary>σ ∈ [0, 1] per element of <paramref name="timesteps"/>: the drift weight is w = mean max(0, 1 − σ²).</summary>
    Tensor Sigma(Tensor timesteps);

    /// <summary>The standard deviation of the unit noise's share of x_t per element of <paramref name="timesteps"/>.</summary>
    Tensor NoiseStd(Tensor timesteps);
}
