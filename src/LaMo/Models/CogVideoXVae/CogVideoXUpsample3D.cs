using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Doubles height and width by nearest interpolation followed by a 3×3 Conv2d (padding 1); with
/// <c>compressTime</c> also doubles time, keeping the first frame single when the frame count is odd
/// (3 → 1 + 2·2 = 5), or doubling every frame when it is even.</summary>
/// <remarks>Port of diffusers <c>CogVideoXUpsample3D</c> (upsampling.py). Key: <c>conv.{weight,bias}</c>.</remarks>
public sealed class CogVideoXUpsample3D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly bool _compressTime;

    /// <summary>Creates the upsampler.</summary>
    public CogVideoXUpsample3D(int inChannels, int outChannels, bool compressTime, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXUpsample3D))
    {
        _compressTime = compressTime;
        conv = nn.Conv2d(inChannels, outChannels, 3, stride: 1, padding: 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] → [B, Cout, F', 2H, 2W] with F' = F, 2F−1 (odd F &gt; 1, time compression)
    /// or 2F (even F, time compression).</summary>
    public override Tensor forward(Tensor x)
    {
        using var up = Interpolate(x);
        long b = up.shape[0], c = up.shape[1], f = up.shape[2];
        using var frames = up.permute(0, 2, 1, 3, 4).reshape(b * f, c, up.shape[3], up.shape[4]); // [B·F', C, 2H, 2W]
        using var y = SafeConv.Forward(conv, frames);                                                       // [B·F', Cout, 2H, 2W]
        using var y5 = y.reshape(b, f, y.shape[1], y.shape[2], y.shape[3]);                      // [B, F', Cout, 2H, 2W]
        return y5.permute(0, 2, 1, 3, 4).contiguous();                                          // [B, Cout, F', 2H, 2W]
    }

    private Tensor Interpolate(Tensor x)
    {
        long f = x.shape[2];
        if (_compressTime && f > 1 && f % 2 == 1)
        {
            using var first = x[.., .., 0];                                                         // [B, C, H, W]
            using var rest = x[.., .., 1..];                                                        // [B, C, F−1, H, W]
            using var firstUp = nn.functional.interpolate(first, scale_factor: [2.0, 2.0]);        // [B, C, 2H, 2W]
            using var restUp = nn.functional.interpolate(rest, scale_factor: [2.0, 2.0, 2.0]);     // [B, C, 2F−2, 2H, 2W]
            using var firstUp5 = firstUp.unsqueeze(2);                                              // [B, C, 1, 2H, 2W]
            return cat([firstUp5, restUp], 2);
        }
        if (_compressTime && f > 1) return nn.functional.interpolate(x, scale_factor: [2.0, 2.0, 2.0]);
        // Spatial only (also the single-frame case): frames through a 2-D interpolation.
        long b = x.shape[0], c = x.shape[1];
        using var frames = x.permute(0, 2, 1, 3, 4).reshape(b * f, c, x.shape[3], x.shape[4]);    // [B·F, C, H, W]
        using var framesUp = nn.functional.interpolate(frames, scale_factor: [2.0, 2.0]);          // [B·F, C, 2H, 2W]
        using var up5 = framesUp.reshape(b, f, c, framesUp.shape[2], framesUp.shape[3]);           // [B, F, C, 2H, 2W]
        return up5.permute(0, 2, 1, 3, 4);                                                         // [B, C, F, 2H, 2W]
    }
}
