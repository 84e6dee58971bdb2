using static LaMo.Core.KeptScalars;
using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Residual block: norm1 → SiLU → conv1 → norm2 → SiLU → conv2, plus the input (through a 1×1×1
/// <c>conv_shortcut</c> when the channel count changes). Norms are GroupNorm in the encoder and
/// <see cref="CogVideoXSpatialNorm3D"/> (conditioned on z) in the decoder.</summary>
/// <remarks>Port of diffusers <c>CogVideoXResnetBlock3D</c> with <c>temb_channels = 0</c>, dropout 0 and
/// <c>conv_shortcut = False</c>, as every CogVideoX VAE block uses. Keys: <c>norm1.*</c>, <c>conv1.conv.*</c>,
/// <c>norm2.*</c>, <c>conv2.conv.*</c>, <c>conv_shortcut.*</c>.</remarks>
public sealed class CogVideoXResnetBlock3D : nn.Module<Tensor, Tensor?, ConvCache, Tensor>
{
    private readonly nn.Module norm1;
    private readonly CogVideoXCausalConv3d conv1;
    private readonly nn.Module norm2;
    private readonly CogVideoXCausalConv3d conv2;
    private readonly Conv3d? conv_shortcut;

    /// <summary>Creates the block; <paramref name="spatialNormDim"/> (latent channels) selects spatial norms.</summary>
    public CogVideoXResnetBlock3D(int inChannels, int outChannels, int groups, double eps, int? spatialNormDim,
        Device? device = null, ScalarType? dtype = null) : base(nameof(CogVideoXResnetBlock3D))
    {
        if (spatialNormDim is int zc)
        {
            norm1 = new CogVideoXSpatialNorm3D(inChannels, zc, groups, device, dtype);
            norm2 = new CogVideoXSpatialNorm3D(outChannels, zc, groups, device, dtype);
        }
        else
        {
            norm1 = new VaeGroupNorm(groups, inChannels, eps, device, dtype);
            norm2 = new VaeGroupNorm(groups, outChannels, eps, device, dtype);
        }
        conv1 = new CogVideoXCausalConv3d(inChannels, outChannels, 3, device, dtype);
        conv2 = new CogVideoXCausalConv3d(outChannels, outChannels, 3, device, dtype);
        if (inChannels != outChannels)
            conv_shortcut = nn.Conv3d(inChannels, outChannels, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    private static Tensor Norm(nn.Module norm, Tensor x, Tensor? zq, ConvCache cache) => norm switch
    {
        CogVideoXSpatialNorm3D s => s.forward(x, zq ?? throw new ArgumentNullException(nameof(zq), "decoder block needs zq"), cache),
        VaeGroupNorm g => g.forward(x),
        _ => throw new InvalidOperationException("unknown norm"),
    };

    private static Tensor ConvNorm(nn.Module norm, CogVideoXCausalConv3d conv, Tensor x, Tensor? zq, ConvCache cache)
    {
        using var n = Norm(norm, x, zq, cache);
        using var a = nn.functional.silu(n);
        return conv.forward(a, cache);
    }

    /// <summary>x [B, Cin, F, H, W] (zq: decoder latent or null) → [B, Cout, F, H, W].</summary>
    public override Tensor forward(Tensor x, Tensor? zq, ConvCache cache)
    {
        using var h1 = ConvNorm(norm1, conv1, x, zq, cache);
        using var h2 = ConvNorm(norm2, conv2, h1, zq, cache);
        if (conv_shortcut is null) return h2.add(x, Sc(1));
        using var shortcut = SafeConv.Forward(conv_shortcut, x);
        return h2.add(shortcut, Sc(1));
    }
}
