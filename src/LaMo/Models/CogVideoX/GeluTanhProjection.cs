using TorchSharp;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Linear projection followed by tanh-approximated GELU.</summary>
/// <remarks>Port of diffusers <c>GELU(dim, inner_dim, approximate="tanh")</c> (activations.py). Key: <c>proj.*</c>.</remarks>
public sealed class GeluTanhProjection : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear proj;

    /// <summary>Creates the projection <paramref name="dimIn"/> → <paramref name="dimOut"/>.</summary>
    public GeluTanhProjection(int dimIn, int dimOut, ParameterOptions options = default) : base(nameof(GeluTanhProjection))
    {
        proj = new AdaptableLinear(dimIn, dimOut, hasBias: true, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>[..., in] → [..., out].</summary>
    public override Tensor forward(Tensor x)
    {
        using var h = proj.forward(x);
        return nn.functional.gelu(h, TorchSharp.Modules.GELU.Approximate.tanh, inplace: false);
    }
}
