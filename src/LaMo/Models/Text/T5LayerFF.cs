using static LaMo.Core.KeptScalars;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>Pre-norm residual feed-forward sub-layer: x + DenseReluDense(layer_norm(x)).</summary>
/// <remarks>Port of HF transformers <c>T5LayerFF</c> (gated variant). Keys: <c>DenseReluDense.*</c>, <c>layer_norm.weight</c>.</remarks>
public sealed class T5LayerFF : nn.Module<Tensor, Tensor>
{
    private readonly T5DenseGatedActDense DenseReluDense;
    private readonly T5LayerNorm layer_norm;

    /// <summary>Creates the sub-layer.</summary>
    public T5LayerFF(T5Config config, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5LayerFF))
    {
        DenseReluDense = new T5DenseGatedActDense(config.DModel, config.DFf, device, dtype);
        layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon, device, dtype);
        RegisterComponents();
    }

    /// <summary>[B, L, D] → [B, L, D].</summary>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var normed = layer_norm.forward(hiddenStates);
        using var ff = DenseReluDense.forward(normed);
        return hiddenStates.add(ff, Sc(1));
    }
}
