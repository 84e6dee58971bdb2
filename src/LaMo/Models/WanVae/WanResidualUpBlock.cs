using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Wan 2.2 decoder block: num_res_blocks + 1 resnets, an optional upsampler keeping the width, plus the
/// <see cref="DupUp3D"/> shortcut of the block's input when it upsamples.</summary>
/// <remarks>Port of diffusers <c>WanResidualUpBlock</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>resnets.{i}.*</c>,
/// <c>upsampler.*</c>.</remarks>
public sealed class WanResidualUpBlock : nn.Module<Tensor, WanFeatureCache, bool, Tensor>
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly WanResample? upsampler;
    private readonly DupUp3D? _avgShortcut;

    /// <summary>Creates the block.</summary>
    public WanResidualUpBlock(int inDim, int outDim, int numResBlocks, double dropout, bool temperalUpsample, bool upFlag,
        Device? device = null, ScalarType? dtype = null) : base(nameof(WanResidualUpBlock))
    {
        if (upFlag) _avgShortcut = new DupUp3D(inDim, outDim, factorT: temperalUpsample ? 2 : 1, factorS: 2);
        resnets = new ModuleList<WanResidualBlock>();
        for (int i = 0, current = inDim; i < numResBlocks + 1; i++, current = outDim)
            resnets.Add(new WanResidualBlock(current, outDim, dropout, device, dtype));
        if (upFlag)
            upsampler = new WanResample(outDim, temperalUpsample ? WanResampleMode.Upsample3d : WanResampleMode.Upsample2d,
                upsampleOutDim: outDim, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F', H', W'] for one chunk (<paramref name="firstChunk"/>: the pass's first).</summary>
    public override Tensor forward(Tensor x, WanFeatureCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.forward(h, cache);
        if (upsampler is not null) h = upsampler.forward(h, cache);
        if (_avgShortcut is not null) h = h.add(_avgShortcut.Forward(x, firstChunk), Sc(1));
        return h.MoveToOuterDisposeScope();
    }
}
