using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>GELU-tanh feed-forward D → 4D → D.</summary>
/// <remarks>Port of diffusers <c>FeedForward</c> with <c>activation_fn="gelu-approximate"</c> and <c>final_dropout=True</c>
/// (attention.py). Keys: <c>net.0.proj.*</c>, <c>net.2.*</c>; <c>net.1</c>/<c>net.3</c> are parameter-free dropouts.</remarks>
public sealed class CogVideoXFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    /// <summary>Creates the feed-forward for width <paramref name="dim"/> with hidden width <paramref name="innerDim"/>.</summary>
    public CogVideoXFeedForward(int dim, int innerDim, double dropout, ParameterOptions options = default) : base(nameof(CogVideoXFeedForward))
    {
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(
            new GeluTanhProjection(dim, innerDim, options),
            nn.Dropout(dropout),
            new AdaptableLinear(innerDim, dim, hasBias: true, options.Device, options.DType, !options.SkipInit),
            nn.Dropout(dropout));
        RegisterComponents();
    }

    /// <summary>[B, N, D] → [B, N, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = x;
        foreach (var m in net) h = m.forward(h);
        return h.MoveToOuterDisposeScope();
    }
}
