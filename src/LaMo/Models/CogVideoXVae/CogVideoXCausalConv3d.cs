using TorchSharp;
using TorchSharp.Modules;
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
        if (_timeKernel == 1) return conv.forward(x);
        var previous = cache.Get(this);
        Tensor padded;                                             // [B, Cin, k−1+F, H, W]
        if (previous is null)
        {
            using var first = x[.., .., ..1];                      // [B, Cin, 1, H, W]
            padded = cat([.. Enumerable.Repeat(first, _timeKernel - 1), x], 2);
        }
        else padded = cat([previous, x], 2);
        cache.Set(this, padded.narrow(2, padded.shape[2] - (_timeKernel - 1), _timeKernel - 1).clone());
        using (padded) return conv.forward(padded);
    }
}
