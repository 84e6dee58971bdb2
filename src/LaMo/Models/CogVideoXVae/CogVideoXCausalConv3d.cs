using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>3-D convolution that is causal in time: the input is left-padded with k−1 frames, copies of the first
/// frame on the first chunk, the previous chunk's last k−1 frames (from the <see cref="ConvCache"/>) afterwards.
/// Height and width are zero-padded to keep their size.</summary>
/// <remarks>Port of diffusers <c>CogVideoXCausalConv3d</c> with <c>pad_mode != "replicate"</c> (the CogVideoX path).
/// Keys: <c>conv.weight</c>, <c>conv.bias</c>. diffusers' <c>CogVideoXSafeConv3d</c> only splits very large inputs
/// (&gt; 2 GB) along time to save memory; the result is the same convolution, so a plain Conv3d is used here.</remarks>
public sealed class CogVideoXCausalConv3d : nn.Module<Tensor, ConvCache, Tensor>
{
    private readonly Conv3d conv;
    private readonly int _timeKernel;

    /// <summary>Creates the convolution (kernel k×k×k, stride 1).</summary>
    public CogVideoXCausalConv3d(int inChannels, int outChannels, int kernelSize, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXCausalConv3d))
    {
        _timeKernel = kernelSize;
        long pad = (kernelSize - 1) / 2;
        // Spatial zero padding inside the conv equals diffusers' explicit F.pad (constant 0) before it.
        conv = nn.Conv3d(inChannels, outChannels, (kernelSize, kernelSize, kernelSize), stride: (1, 1, 1),
            padding: (0, pad, pad), device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Temporal kernel size k.</summary>
    public int TimeKernel => _timeKernel;

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F, H, W]; updates <paramref name="cache"/> with the last k−1 input frames.</summary>
    public override Tensor forward(Tensor x, ConvCache cache)
    {
        if (_timeKernel == 1) return SafeConv.Forward(conv, x);
        var previous = cache.Get(this);
        Tensor padded;                                             // [B, Cin, k−1+F, H, W]
        if (previous is null)
        {
            using var first = x[.., .., ..1];                      // [B, Cin, 1, H, W]
            padded = cat([.. Enumerable.Repeat(first, _timeKernel - 1), x], 2);
        }
        else padded = cat([previous, x], 2);
        cache.Set(this, padded.narrow(2, padded.shape[2] - (_timeKernel - 1), _timeKernel - 1).clone());
        using (padded) return UseFrameConv2d ? FrameConv(padded) : SafeConv.Forward(conv, padded);
    }

    /// <summary>When true (default), the convolution runs as a sum over the k temporal taps of 2-D convolutions on
    /// all frames at once. Same result up to float rounding (≈1e-7 relative), but LibTorch's CPU Conv3d falls back to
    /// an im2col kernel for short clips (≤ 10 padded frames at 64×64 in LibTorch 2.10) whose workspace is
    /// Cin·27·F·H·W floats, and that made peak memory depend on the chunk length. False uses Conv3d directly.</summary>
    public static bool UseFrameConv2d { get; set; } = true;

    /// <summary>padded [B, Cin, F+k−1, H, W] → [B, Cout, F, H, W] as Σ_dt conv2d(frames t+dt, W[:, :, dt]).</summary>
    private Tensor FrameConv(Tensor padded)
    {
        long b = padded.shape[0], c = padded.shape[1], h = padded.shape[3], w = padded.shape[4];
        long frames = padded.shape[2] - (_timeKernel - 1);
        long pad = conv.weight!.shape[3] / 2;
        using var byFrame = padded.transpose(1, 2).contiguous();            // [B, F+k−1, Cin, H, W]
        Tensor? sum = null;                                                  // [B·F, Cout, H, W]
        for (int dt = 0; dt < _timeKernel; dt++)
        {
            using var window = byFrame.narrow(1, dt, frames);                // [B, F, Cin, H, W]
            using var flat = window.reshape(b * frames, c, h, w);           // [B·F, Cin, H, W]
            using var tap = conv.weight!.select(2, dt);                      // [Cout, Cin, kh, kw]
            var term = SafeConv.Functional(flat, tap, dt == 0 ? conv.bias : null, [1, 1], [pad, pad]);
            if (sum is null) sum = term;
            else { using (term) sum.add_(term, Sc(1)); }
        }
        using (sum)
        using (var split = sum!.reshape(b, frames, sum.shape[1], h, w))      // [B, F, Cout, H, W]
            return split.transpose(1, 2).contiguous();                      // [B, Cout, F, H, W]
    }
}
