using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>LayerNorm computed in float32 whatever the input dtype, optionally with weight and bias.</summary>
/// <remarks>Port of diffusers <c>FP32LayerNorm</c> (normalization.py): <c>norm1</c>, <c>norm3</c> and <c>norm_out</c>
/// have no affine parameters, <c>norm2</c> (with <c>cross_attn_norm</c>) has <c>weight</c> and <c>bias</c> [dim].
/// Returns float32; the callers cast back as diffusers does (<c>.type_as(hidden_states)</c>).</remarks>
public sealed class WanFp32LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    private readonly long _dim;
    private readonly double _eps;

    /// <summary>Creates the norm over <paramref name="dim"/> channels (weight 1, bias 0 when affine).</summary>
    public WanFp32LayerNorm(long dim, double eps, bool elementwiseAffine, WanParameterOptions options = default) : base(nameof(WanFp32LayerNorm))
    {
        _dim = dim; _eps = eps;
        if (elementwiseAffine)
        {
            weight = new Parameter(ones(new[] { dim }, dtype: options.DType, device: options.Device));
            bias = new Parameter(zeros(new[] { dim }, dtype: options.DType, device: options.Device));
        }
        RegisterComponents();
    }

    /// <summary>[..., dim] → [..., dim] float32.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.layer_norm(x.to(ScalarType.Float32), [_dim], weight?.to(ScalarType.Float32), bias?.to(ScalarType.Float32), _eps);
        return y.MoveToOuterDisposeScope();
    }
}
