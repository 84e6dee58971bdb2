using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Decoder stage: <c>numLayers</c> (layers_per_block + 1) resnets with spatial norms conditioned on z,
/// then (except in the last stage) a <see cref="CogVideoXUpsample3D"/>, which also doubles time in the first
/// log2(temporal ratio) stages.</summary>
/// <remarks>Port of diffusers <c>CogVideoXUpBlock3D</c>. Keys: <c>resnets.{j}.*</c>, <c>upsamplers.0.conv.*</c>.</remarks>
public sealed class CogVideoXUpBlock3D : nn.Module<Tensor, Tensor, ConvCache, Tensor>
{
    private readonly ModuleList<CogVideoXResnetBlock3D> resnets;
    private readonly ModuleList<CogVideoXUpsample3D>? upsamplers;

    /// <summary>Creates the stage.</summary>
    public CogVideoXUpBlock3D(int inChannels, int outChannels, int numLayers, double eps, int groups, int spatialNormDim,
        bool addUpsample, bool compressTime, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXUpBlock3D))
    {
        resnets = new ModuleList<CogVideoXResnetBlock3D>();
        for (int j = 0; j < numLayers; j++)
            resnets.Add(new CogVideoXResnetBlock3D(j == 0 ? inChannels : outChannels, outChannels, groups, eps, spatialNormDim, device, dtype));
        if (addUpsample)
            upsamplers = new ModuleList<CogVideoXUpsample3D>(new CogVideoXUpsample3D(outChannels, outChannels, compressTime, device, dtype));
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W], zq [B, Cz, Fz, h, w] → [B, Cout, F', H', W'].</summary>
    public override Tensor forward(Tensor x, Tensor zq, ConvCache cache)
    {
        Tensor h = x.alias();
        foreach (var resnet in resnets)
        {
            var next = resnet.forward(h, zq, cache);
            h.Dispose();
            h = next;
        }
        if (upsamplers is null) return h;
        using (h) return upsamplers[0].forward(h);
    }
}
