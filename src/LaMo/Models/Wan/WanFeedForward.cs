using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>GELU-tanh feed-forward D → ffn_dim → D of a Wan block.</summary>
/// <remarks>Port of diffusers <c>FeedForward(dim, inner_dim=ffn_dim, activation_fn="gelu-approximate")</c>
/// (attention.py). Keys: <c>net.0.proj.*</c> [ffn, D], <c>net.2.*</c> [D, ffn]; <c>net.1</c> is a dropout.</remarks>
public sealed class WanFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    /// <summary>Creates the feed-forward for width <paramref name="dim"/> with hidden width <paramref name="ffnDim"/>.</summary>
    public WanFeedForward(int dim, int ffnDim, WanParameterOptions options = default) : base(nameof(WanFeedForward))
    {
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(
            new WanGeluTanhProjection(dim, ffnDim, options),
            nn.Dropout(0.0),
            new AdaptableLinear(ffnDim, dim, hasBias: true, options.Device, options.DType, !options.SkipInit));
        RegisterComponents();
    }

    /// <summary>[B, S, D] → [B, S, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = x;
        foreach (var m in net) h = m.forward(h);
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>Linear projection followed by tanh-approximated GELU (diffusers <c>GELU(dim_in, dim_out,
/// approximate="tanh")</c>). Key: <c>proj.*</c>.</summary>
public sealed class WanGeluTanhProjection : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear proj;

    /// <summary>Creates the projection <paramref name="dimIn"/> → <paramref name="dimOut"/>.</summary>
    public WanGeluTanhProjection(int dimIn, int dimOut, WanParameterOptions options = default) : base(nameof(WanGeluTanhProjection))
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
