using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Middle block: resnet, then (attention, resnet) once.</summary>
/// <remarks>Port of diffusers <c>WanMidBlock</c> with <c>num_layers=1</c> (autoencoder_kl_wan.py @ v0.40.0). Keys:
/// <c>resnets.{0,1}.*</c>, <c>attentions.0.*</c>.</remarks>
public sealed class WanMidBlock : nn.Module<Tensor, WanFeatureCache?, Tensor>
{
    private readonly ModuleList<WanAttentionBlock> attentions;
    private readonly ModuleList<WanResidualBlock> resnets;

    /// <summary>Creates the block for <paramref name="dim"/> channels.</summary>
    public WanMidBlock(int dim, double dropout, Device? device = null, ScalarType? dtype = null) : base(nameof(WanMidBlock))
    {
        resnets = new ModuleList<WanResidualBlock>(new WanResidualBlock(dim, dim, dropout, device, dtype));
        attentions = new ModuleList<WanAttentionBlock>(new WanAttentionBlock(dim, device, dtype));
        resnets.Add(new WanResidualBlock(dim, dim, dropout, device, dtype));
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] → same shape.</summary>
    public override Tensor forward(Tensor x, WanFeatureCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, cache);
        for (int i = 0; i < attentions.Count; i++)
            h = resnets[i + 1].forward(attentions[i].forward(h), cache);
        return h.MoveToOuterDisposeScope();
    }
}
