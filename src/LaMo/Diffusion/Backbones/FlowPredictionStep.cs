using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>Flow (velocity) prediction at one step (Wan): x̂₀ = x_t − σ·v̂, v̂ = (x_t − x̂₀)/σ. The arithmetic is in the
/// inputs' dtype with σ rounded to float32 (diffusers' σ tables are float32).</summary>
/// <remarks>∂x̂₀/∂v̂ = −σ, so guidance that moves v̂ by −λ·∂L/∂v̂ = λσ·∂L/∂x̂₀ moves x̂₀ by −λσ²·∂L/∂x̂₀: a v-step of λ is an
/// x̂₀-step of λσ² (docs/method.md, "LaMo on flow matching").</remarks>
public sealed class FlowPredictionStep : IStepPrediction
{
    /// <summary>The conversions at flow σ = <paramref name="sigma"/> (rounded to float32).</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ is not in [0, 1].</exception>
    public FlowPredictionStep(double sigma)
    {
        if (!(sigma >= 0 && sigma <= 1)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "flow σ must lie in [0, 1]");
        Sigma = (float)sigma;
    }

    /// <summary>σ as used (float32).</summary>
    public float Sigma { get; }

    /// <summary>The x̂₀-step size that a v-step of <paramref name="lambda"/> amounts to: λ·σ².</summary>
    public double X0StepOf(double lambda) => lambda * (double)Sigma * Sigma;

    /// <inheritdoc />
    public bool CanInvert => Sigma > 0;

    /// <inheritdoc />
    public Tensor PredictX0(Tensor prediction, Tensor xt)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(xt);
        return xt - prediction * Sc(Sigma);
    }

    /// <inheritdoc />
    public Tensor PredictionFromX0(Tensor x0, Tensor xt)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(xt);
        RequireInvertible();
        return (xt - x0) / Sc(Sigma);
    }

    /// <summary>−Δx̂₀ / σ.</summary>
    public Tensor PredictionChange(Tensor x0Change)
    {
        ArgumentNullException.ThrowIfNull(x0Change);
        RequireInvertible();
        return x0Change / Sc(-Sigma);
    }

    private void RequireInvertible()
    {
        if (!CanInvert) throw new InvalidOperationException("at σ = 0, x̂₀ = x_t does not depend on the velocity; there is no inverse");
    }
}
