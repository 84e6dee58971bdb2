using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>3-D convolution that is causal in time: the input is front-padded with 2·p_t frames, zeros on the first
/// chunk and the previous chunk's cached frames afterwards; height and width are zero-padded symmetrically.</summary>
/// <remarks>Port of diffusers <c>WanCausalConv3d</c> (autoencoder_kl_wan.py @ v0.40.0), an <c>nn.Conv3d</c> subclass, so
/// its keys are <c>weight</c> and <c>bias</c> directly. Unlike CogVideoX's causal conv the first chunk is padded with
/// zeros, not copies of the first frame. Every convolution goes through <see cref="SafeConv"/>.</remarks>
public sealed class WanCausalConv3d : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _stride;
    private readonly long _timePad, _padH, _padW;

    /// <summary>Frames carried between chunks by the convolutions that cache (diffusers' <c>CACHE_T</c>).</summary>
    public const int CacheFrames = 2;

    /// <summary>Creates the convolution with PyTorch's default initialisation.</summary>
    /// <param name="kernel">(t, h, w) kernel.</param>
    /// <param name="stride">(t, h, w) stride; default 1.</param>
    /// <param name="padding">(t, h, w) padding p; time is padded 2·p_t in front only.</param>
    public WanCausalConv3d(int inChannels, int outChannels, (int T, int H, int W) kernel, (int T, int H, int W)? stride = null,
        (int T, int H, int W)? padding = null, Device? device = null, ScalarType? dtype = null)
        : base(nameof(WanCausalConv3d))
    {
        var s = stride ?? (1, 1, 1);
        var p = padding ?? (0, 0, 0);
        _stride = [s.T, s.H, s.W];
        _timePad = 2L * p.T; _padH = p.H; _padW = p.W;
        weight = new Parameter(empty([outChannels, inChannels, kernel.T, kernel.H, kernel.W], dtype: dtype, device: device));
        bias = new Parameter(empty([outChannels], dtype: dtype, device: device));
        if (weight.device_type != DeviceType.META)
        {
            // nn.Conv3d's reset_parameters: kaiming_uniform(a=√5) weights, U(±1/√fan_in) bias.
            nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
            double bound = 1 / Math.Sqrt((double)inChannels * kernel.T * kernel.H * kernel.W);
            nn.init.uniform_(bias, -bound, bound);
        }
        RegisterComponents();
    }

    /// <summary>Creates a cubic k×k×k convolution with padding p on every axis (time: 2p in front).</summary>
    public WanCausalConv3d(int inChannels, int outChannels, int kernel, int padding = 0, Device? device = null, ScalarType? dtype = null)
        : this(inChannels, outChannels, (kernel, kernel, kernel), null, (padding, padding, padding), device, dtype) { }

    /// <summary>Output channels.</summary>
    public long OutChannels => weight.shape[0];

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F', H', W']: prepends <paramref name="cacheX"/> (frames of the previous
    /// chunk, or null) to the time padding, as diffusers' <c>forward(x, cache_x)</c> does.</summary>
    public override Tensor forward(Tensor x, Tensor? cacheX)
    {
        using var scope = NewDisposeScope();
        long timePad = _timePad;
        var input = x;
        if (cacheX is not null && _timePad > 0)
        {
            input = cat([cacheX, x], 2);                                   // [B, Cin, c+F, H, W]
            timePad -= cacheX.shape[2];
        }
        if (timePad > 0) input = nn.functional.pad(input, [0, 0, 0, 0, timePad, 0]);   // zeros in front, in time
        var y = UseFrameConv2d && _stride[0] == 1 && weight.shape[2] > 1 ? FrameConv(input) : Conv(input);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>diffusers' cached call: remembers the last <see cref="CacheFrames"/> input frames (topped up with the
    /// last cached frame when the chunk is a single frame), then convolves with the previous chunk's frames.
    /// Without a cache it is the plain causal convolution.</summary>
    public Tensor Forward(Tensor x, WanFeatureCache? cache)
    {
        if (cache is null) return forward(x, null);
        var previous = cache.Get(this);
        Tensor keep;
        using (var scope = NewDisposeScope())
        {
            long frames = x.shape[2], n = Math.Min(CacheFrames, frames);
            keep = x.narrow(2, frames - n, n).clone();                                       // [B, C, ≤2, H, W]
            if (n < CacheFrames && previous is not null)
                keep = cat([previous.narrow(2, previous.shape[2] - 1, 1), keep], 2);        // [B, C, 2, H, W]
            keep.MoveToOuterDisposeScope();
        }
        var y = forward(x, previous);
        cache.Set(this, keep);
        return y;
    }

    /// <summary>When true (default), a stride-1 convolution with a temporal kernel runs as a sum over its temporal taps
    /// of 2-D convolutions on all frames at once (same result up to float rounding). LibTorch's CPU Conv3d falls back
    /// to an im2col kernel for short clips, and decoding runs one latent frame per chunk, whose workspace would be
    /// Cin·k³·F·H·W floats (see CogVideoXCausalConv3d.UseFrameConv2d). False uses Conv3d directly.</summary>
    public static bool UseFrameConv2d { get; set; } = true;

    private Tensor Conv(Tensor input) => SafeConv.Functional(input, weight, bias, _stride, [0, _padH, _padW]);

    /// <summary>input [B, Cin, F+k−1, H, W] → [B, Cout, F, H', W'] as Σ_dt conv2d(frames t+dt, W[:, :, dt]).</summary>
    private Tensor FrameConv(Tensor input)
    {
        long b = input.shape[0], c = input.shape[1], h = input.shape[3], w = input.shape[4], k = weight.shape[2];
        long frames = input.shape[2] - (k - 1);
        var byFrame = input.transpose(1, 2).contiguous();                          // [B, F+k−1, Cin, H, W]
        Tensor? sum = null;                                                         // [B·F, Cout, H', W']
        for (long dt = 0; dt < k; dt++)
        {
            var flat = byFrame.narrow(1, dt, frames).reshape(b * frames, c, h, w);  // [B·F, Cin, H, W]
            var term = SafeConv.Functional(flat, weight.select(2, dt), dt == 0 ? bias : null, [_stride[1], _stride[2]], [_padH, _padW]);
            sum = sum is null ? term : sum.add(term, Sc(1));
        }
        var split = sum!.reshape(b, frames, sum.shape[1], sum.shape[2], sum.shape[3]);    // [B, F, Cout, H', W']
        return split.transpose(1, 2).contiguous();                                        // [B, Cout, F, H', W']
    }
}
