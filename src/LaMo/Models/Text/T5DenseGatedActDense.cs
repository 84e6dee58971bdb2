using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>T5 v1.1 gated feed-forward: wo(gelu_new(wi_0 x) ⊙ wi_1 x). No biases; dropout is off (inference only).</summary>
/// <remarks>Port of HF transformers <c>T5DenseGatedActDense</c>. Keys: <c>wi_0.weight</c> [d_ff, D],
/// <c>wi_1.weight</c> [d_ff, D], <c>wo.weight</c> [D, d_ff].</remarks>
public sealed class T5DenseGatedActDense : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> wi_0;
    private readonly nn.Module<Tensor, Tensor> wi_1;
    private readonly nn.Module<Tensor, Tensor> wo;

    /// <summary>Creates the three projections.</summary>
    public T5DenseGatedActDense(long dModel, long dFf, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5DenseGatedActDense))
    {
        wi_0 = nn.Linear(dModel, dFf, hasBias: false, device: device, dtype: dtype);
        wi_1 = nn.Linear(dModel, dFf, hasBias: false, device: device, dtype: dtype);
        wo = nn.Linear(dFf, dModel, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>gelu_new(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), HF's <c>NewGELUActivation</c>.</summary>
    public static Tensor GeluNew(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inner = x.add(x.pow(Sc(3)) * Sc(0.044715), Sc(1)) * Sc(Math.Sqrt(2.0 / Math.PI));
        return (x * Sc(0.5) * inner.tanh().add(Sc(1.0), Sc(1))).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="hiddenStates"/>: [B, L, D] → [B, L, D].</summary>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var gated = GeluNew(wi_0.forward(hiddenStates)) * wi_1.forward(hiddenStates);   // [B, L, d_ff]
        return wo.forward(gated).MoveToOuterDisposeScope();
    }
}
