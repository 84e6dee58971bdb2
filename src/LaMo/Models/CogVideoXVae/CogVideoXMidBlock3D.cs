using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Two resnets at the bottleneck width (GroupNorm in the encoder, spatial norms in the decoder).</summary>
/// <remarks>Port of diffusers <c>CogVideoXMidBlock3D</c> (num_layers = 2). Keys: <c>resnets.{0,1}.*</c>.</remarks>
public sealed class CogVideoXMidBlock3D : nn.Module<Tensor, Tensor?, ConvCache, Tensor>
{
    private readonly ModuleList<CogVideoXResnetBlock3D> resnets;

    /// <summary>Creates the block; <paramref name="spatialNormDim"/> non-null for the decoder.</summary>
    public CogVideoXMidBlock3D(int channels, double eps, int groups, int? spatialNormDim, int numLayers = 2,
        Device? device = null, ScalarType? dtype = null) : base(nameof(CogVideoXMidBlock3D))
    {
        resnets = new ModuleList<CogVideoXResnetBlock3D>();
        for (int j = 0; j < numLayers; j++)
            resnets.Add(new CogVideoXResnetBlock3D(channels, channels, groups, eps, spatialNormDim, device, dtype));
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] (zq: decoder latent or null) → same shape.</summary>
    public override Tensor forward(Tensor x, Tensor? zq, ConvCache cache)
    {
        Tensor h = x.alias();
        foreach (var resnet in resnets)
        {
            var next = resnet.forward(h, zq, cache);
            h.Dispose();
            h = next;
        }
        return h;
    }
}
