using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Encoder stage: <c>numLayers</c> resnets, then (except in the last stage) a
/// <see cref="CogVideoXDownsample3D"/>, which also halves time in the first log2(temporal ratio) stages.</summary>
/// <remarks>Port of diffusers <c>CogVideoXDownBlock3D</c>. Keys: <c>resnets.{j}.*</c>, <c>downsamplers.0.conv.*</c>.</remarks>
public sealed class CogVideoXDownBlock3D : nn.Module<Tensor, ConvCache, Tensor>
{
    private readonly ModuleList<CogVideoXResnetBlock3D> resnets;
    private readonly ModuleList<CogVideoXDownsample3D>? downsamplers;

    /// <summary>Creates the stage.</summary>
    public CogVideoXDownBlock3D(int inChannels, int outChannels, int numLayers, double eps, int groups,
        bool addDownsample, bool compressTime, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXDownBlock3D))
    {
        resnets = new ModuleList<CogVideoXResnetBlock3D>();
        for (int j = 0; j < numLayers; j++)
            resnets.Add(new CogVideoXResnetBlock3D(j == 0 ? inChannels : outChannels, outChannels, groups, eps, null, device, dtype));
        if (addDownsample)
            downsamplers = new ModuleList<CogVideoXDownsample3D>(new CogVideoXDownsample3D(outChannels, outChannels, compressTime, device, dtype));
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F', H', W'].</summary>
    public override Tensor forward(Tensor x, ConvCache cache)
    {
        Tensor h = x.alias();
        foreach (var resnet in resnets)
        {
            var next = resnet.forward(h, null, cache);
            h.Dispose();
            h = next;
        }
        if (downsamplers is null) return h;
        using (h) return downsamplers[0].forward(h);
    }
}
