using static LaMo.Core.KeptScalars;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Decoder normalisation conditioned on the latent z: GroupNorm(f)·conv_y(z↑) + conv_b(z↑), where z↑ is z
/// resized (nearest) to f's frames/height/width, the first frame resized apart from the rest when f has an odd
/// number (&gt; 1) of frames.</summary>
/// <remarks>Port of diffusers <c>CogVideoXSpatialNorm3D</c>. Keys: <c>norm_layer.{weight,bias}</c>,
/// <c>conv_y.conv.*</c>, <c>conv_b.conv.*</c> (1×1×1 causal convs, so they need no cache).</remarks>
public sealed class CogVideoXSpatialNorm3D : nn.Module<Tensor, Tensor, ConvCache, Tensor>
{
    private readonly VaeGroupNorm norm_layer;
    private readonly CogVideoXCausalConv3d conv_y;
    private readonly CogVideoXCausalConv3d conv_b;

    /// <summary>Creates the norm for <paramref name="fChannels"/> features conditioned on <paramref name="zqChannels"/> latent channels.</summary>
    public CogVideoXSpatialNorm3D(int fChannels, int zqChannels, int groups = 32, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXSpatialNorm3D))
    {
        norm_layer = new VaeGroupNorm(groups, fChannels, 1e-6, device, dtype);
        conv_y = new CogVideoXCausalConv3d(zqChannels, fChannels, 1, device, dtype);
        conv_b = new CogVideoXCausalConv3d(zqChannels, fChannels, 1, device, dtype);
        RegisterComponents();
    }

    /// <summary>f [B, C, F, H, W], zq [B, Cz, Fz, h, w] → [B, C, F, H, W].</summary>
    public override Tensor forward(Tensor f, Tensor zq, ConvCache cache)
    {
        long frames = f.shape[2], height = f.shape[3], width = f.shape[4];
        Tensor z;                                                    // [B, Cz, F, H, W]
        if (frames > 1 && frames % 2 == 1)
        {
            using var zFirst = nn.functional.interpolate(zq[.., .., ..1], size: [1, height, width]);
            using var zRest = nn.functional.interpolate(zq[.., .., 1..], size: [frames - 1, height, width]);
            z = cat([zFirst, zRest], 2);
        }
        else z = nn.functional.interpolate(zq, size: [frames, height, width]);
        using (z)
        using (var normF = norm_layer.forward(f))
        using (var y = conv_y.forward(z, cache))
        using (var b = conv_b.forward(z, cache))
        using (var scaled = normF * y)
            return scaled.add(b, Sc(1));
    }
}
