using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>v-prediction at one step (CogVideoX): x̂₀ = √ᾱ_t·x_t − √(1−ᾱ_t)·v with ᾱ_t cast to float32 before the square
/// roots, as LaMo's guidance does (physical_motion_lamo.py @55a3daa); the arithmetic is float32 whatever the inputs.</summary>
public sealed class VPredictionStep : IStepPrediction
{
    private readonly float _alphaCumprod;

    /// <summary>The conversions at ᾱ_t = <paramref name="alphaCumprod"/> (rounded to float32).</summary>
    public VPredictionStep(double alphaCumprod) => _alphaCumprod = (float)alphaCumprod;

    /// <summary>ᾱ_t as used (float32).</summary>
    public float AlphaCumprod => _alphaCumprod;

    /// <inheritdoc />
    public bool CanInvert => 1.0 - _alphaCumprod > 0;

    /// <inheritdoc />
    public Tensor PredictX0(Tensor prediction, Tensor xt) => DiffusionMath.PredictX0FromV(prediction, xt, Alpha(xt));

    /// <inheritdoc />
    public Tensor PredictionFromX0(Tensor x0, Tensor xt) => DiffusionMath.PredictVFromX0(x0, xt, Alpha(xt));

    /// <summary>−Δx̂₀ / √(1−ᾱ_t).</summary>
    public Tensor PredictionChange(Tensor x0Change) => x0Change / OneMinus(Alpha(x0Change)).sqrt().neg();

    private Tensor Alpha(Tensor like) => tensor(_alphaCumprod, ScalarType.Float32, like.device);
}
