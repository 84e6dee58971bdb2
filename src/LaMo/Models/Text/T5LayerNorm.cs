using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>T5's RMS norm: y = w · x / √(mean(x²) + ε). No mean subtraction, no bias; the variance is
/// accumulated in float32 whatever the input dtype.</summary>
/// <remarks>Port of HF transformers <c>T5LayerNorm</c> (modeling_t5.py). Key: <c>weight</c> [D].</remarks>
public sealed class T5LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>Creates the norm with weight = 1.</summary>
    public T5LayerNorm(long hiddenSize, double eps = 1e-6, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5LayerNorm))
    {
        weight = nn.Parameter(ones(hiddenSize, dtype: dtype, device: device));
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>Normalizes over the last dimension. <paramref name="hiddenStates"/>: [..., D].</summary>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var variance = hiddenStates.to(ScalarType.Float32).pow(Sc(2)).mean([-1L], keepdim: true);   // [..., 1], fp32
        var h = hiddenStates * rsqrt(variance.add(Sc(_eps), Sc(1)));                                          // promotes to fp32
        // HF casts back only for half-precision weights; an fp32 weight keeps the fp32 product.
        if (weight.dtype is ScalarType.Float16 or ScalarType.BFloat16) h = h.to(weight.dtype);
        return (weight * h).MoveToOuterDisposeScope();
    }
}
