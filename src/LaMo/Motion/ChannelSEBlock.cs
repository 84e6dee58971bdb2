using LaMo.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Squeeze-and-excitation: x · σ(fc2(GELU(fc1(mean_{H,W} x)))) with 1×1 convolutions.</summary>
/// <remarks>Port of LaMo <c>ChannelSEBlock</c> (physical_motion_lamo.py @55a3daa); keys <c>fc1</c>, <c>fc2</c>.</remarks>
public sealed class ChannelSEBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;
#pragma warning restore IDE1006

    /// <summary>Creates the block for <paramref name="channels"/> channels with a <paramref name="hidden"/>-wide bottleneck.</summary>
    public ChannelSEBlock(int channels, int hidden, Device? device = null) : base(nameof(ChannelSEBlock))
    {
        fc1 = nn.Conv2d(channels, hidden, 1, device: device);
        fc2 = nn.Conv2d(hidden, channels, 1, device: device);
        RegisterComponents();
    }

    /// <summary>Recalibrates the channels of <paramref name="x"/> [N, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        var s = x.mean([-2L, -1L], keepdim: true);           // [N, C, 1, 1]
        s = nn.functional.gelu(SafeConv.Forward(fc1, s));
        s = SafeConv.Forward(fc2, s).sigmoid();
        return x * s;
    }
}
