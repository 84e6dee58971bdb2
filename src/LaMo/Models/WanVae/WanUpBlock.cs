using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Wan 2.1 decoder block: num_res_blocks + 1 resnets, then an optional upsampler that halves the width.</summary>
/// <remarks>Port of diffusers <c>WanUpBlock</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>resnets.{i}.*</c>,
/// <c>upsamplers.0.*</c>.</remarks>
public sealed class WanUpBlock : nn.Module<Tensor, WanFeatureCache, bool, Tensor>
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly ModuleList<WanResample>? upsamplers;

    /// <summary>Creates the block; <paramref name="upsampleMode"/> null for none.</summary>
    public WanUpBlock(int inDim, int outDim, int numResBlocks, double dropout, WanResampleMode? upsampleMode,
        Device? device = null, ScalarType? dtype = null) : base(nameof(WanUpBlock))
    {
        resnets = new ModuleList<WanResidualBlock>();
        for (int i = 0, current = inDim; i < numResBlocks + 1; i++, current = outDim)
            resnets.Add(new WanResidualBlock(current, outDim, dropout, device, dtype));
        if (upsampleMode is { } mode) upsamplers = new ModuleList<WanResample>(new WanResample(outDim, mode, device: device, dtype: dtype));
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → [B, Cout or Cout/2, F', H', W'] for one chunk (the first-chunk flag is unused, as in diffusers).</summary>
    public override Tensor forward(Tensor x, WanFeatureCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.forward(h, cache);
        if (upsamplers is not null) h = upsamplers[0].forward(h, cache);
        return h.alias().MoveToOuterDisposeScope();
    }
}
