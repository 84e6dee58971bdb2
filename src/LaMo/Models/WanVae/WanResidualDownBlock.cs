using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Wan 2.2 encoder block: resnets, an optional downsampler, plus the <see cref="AvgDown3D"/> shortcut of the
/// block's input.</summary>
/// <remarks>Port of diffusers <c>WanResidualDownBlock</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>resnets.{i}.*</c>,
/// <c>downsampler.*</c>. The shortcut exists (factor 1 in space and time) even in the last block, where it only
/// averages channel groups.</remarks>
public sealed class WanResidualDownBlock : nn.Module<Tensor, WanFeatureCache?, Tensor>
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly WanResample? downsampler;
    private readonly AvgDown3D _avgShortcut;

    /// <summary>Creates the block.</summary>
    public WanResidualDownBlock(int inDim, int outDim, double dropout, int numResBlocks, bool temperalDownsample, bool downFlag,
        Device? device = null, ScalarType? dtype = null) : base(nameof(WanResidualDownBlock))
    {
        _avgShortcut = new AvgDown3D(inDim, outDim, factorT: temperalDownsample ? 2 : 1, factorS: downFlag ? 2 : 1);
        resnets = new ModuleList<WanResidualBlock>();
        for (int i = 0; i < numResBlocks; i++)
        {
            resnets.Add(new WanResidualBlock(inDim, outDim, dropout, device, dtype));
            inDim = outDim;
        }
        if (downFlag)
            downsampler = new WanResample(outDim, temperalDownsample ? WanResampleMode.Downsample3d : WanResampleMode.Downsample2d,
                device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F', H', W'] for one chunk.</summary>
    public override Tensor forward(Tensor x, WanFeatureCache? cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.forward(h, cache);
        if (downsampler is not null) h = downsampler.forward(h, cache);
        return h.add(_avgShortcut.Forward(x), Sc(1)).MoveToOuterDisposeScope();
    }
}
