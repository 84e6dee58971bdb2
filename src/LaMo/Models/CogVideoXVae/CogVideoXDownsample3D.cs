using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Halves height and width with a stride-2 3×3 Conv2d after zero-padding right and bottom by one
/// (pad (0,1,0,1)); with <c>compressTime</c> first halves time by averaging frame pairs, keeping the first frame
/// apart when the frame count is odd (9 → 1 + 4).</summary>
/// <remarks>Port of diffusers <c>CogVideoXDownsample3D</c> (downsampling.py). Key: <c>conv.{weight,bias}</c>.</remarks>
public sealed class CogVideoXDownsample3D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly bool _compressTime;

    /// <summary>Creates the downsampler.</summary>
    public CogVideoXDownsample3D(int inChannels, int outChannels, bool compressTime, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXDownsample3D))
    {
        _compressTime = compressTime;
        conv = nn.Conv2d(inChannels, outChannels, 3, stride: 2, padding: 0L, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] → [B, Cout, F', ⌊H/2⌋, ⌊W/2⌋] with F' = F (no time compression),
    /// 1 + (F−1)/2 (odd F) or F/2 (even F).</summary>
    public override Tensor forward(Tensor x)
    {
        using var timed = _compressTime ? HalveTime(x) : x.alias();
        long b = timed.shape[0], c = timed.shape[1], f = timed.shape[2];
        using var padded = nn.functional.pad(timed, [0, 1, 0, 1]);          // [B, C, F, H+1, W+1]
        using var frames = padded.permute(0, 2, 1, 3, 4)                     // [B, F, C, H+1, W+1]
            .reshape(b * f, c, padded.shape[3], padded.shape[4]);            // [B·F, C, H+1, W+1]
        using var y = SafeConv.Forward(conv, frames);                                   // [B·F, Cout, H', W']
        using var y5 = y.reshape(b, f, y.shape[1], y.shape[2], y.shape[3]);  // [B, F, Cout, H', W']
        return y5.permute(0, 2, 1, 3, 4).contiguous();                      // [B, Cout, F, H', W']
    }

    /// <summary>Average of frame pairs (avg_pool1d k=2, s=2 over time); an odd count keeps frame 0 as is.</summary>
    private static Tensor HalveTime(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        if (f % 2 == 1)
        {
            if (f == 1) return x.alias();
            using var first = x[.., .., ..1];                                // [B, C, 1, H, W]
            using var rest = x[.., .., 1..];                                 // [B, C, F−1, H, W]
            using var pooled = PairMean(rest);                               // [B, C, (F−1)/2, H, W]
            return cat([first, pooled], 2);
        }
        return PairMean(x);

        static Tensor PairMean(Tensor t)
        {
            using var pairs = t.reshape(t.shape[0], t.shape[1], t.shape[2] / 2, 2, t.shape[3], t.shape[4]); // [B, C, F/2, 2, H, W]
            return pairs.mean([3]);
        }
    }
}
