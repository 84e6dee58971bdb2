using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>RMSNorm with a learned weight over the last dim: x·rsqrt(mean(x²) + eps)·weight.</summary>
/// <remarks>Port of <c>torch.nn.RMSNorm(dim, eps, elementwise_affine=True)</c> as <c>WanAttention</c> builds it for
/// <c>norm_q</c> / <c>norm_k</c> (over all heads together). Key: <c>weight</c> [dim]. Computed in float32 and returned in
/// the input dtype.</remarks>
public sealed class WanRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>Creates the norm over <paramref name="dim"/> channels (weight 1).</summary>
    public WanRmsNorm(long dim, double eps, WanParameterOptions options = default) : base(nameof(WanRmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(new[] { dim }, dtype: options.DType, device: options.Device));
        RegisterComponents();
    }

    /// <summary>[..., dim] → [..., dim].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var y = x32.mul(x32.pow(Sc(2)).mean([-1], keepdim: true).add(Sc(_eps), Sc(1)).rsqrt()).mul(weight.to(ScalarType.Float32));
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }
}
