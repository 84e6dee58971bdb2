using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The Wan 2.2 up block's parameter-free shortcut: repeats each channel, then unfolds channel groups into
/// factor_t × factor_s × factor_s neighbourhoods (the inverse layout of <see cref="AvgDown3D"/>).</summary>
/// <remarks>Port of diffusers <c>DupUp3D</c> (autoencoder_kl_wan.py @ v0.40.0). On the first chunk the first
/// factor_t − 1 frames are dropped, matching the temporal upsampler, which does not double frame 0. No keys.</remarks>
public sealed class DupUp3D
{
    private readonly int _outChannels, _factorT, _factorS, _repeats;

    /// <summary>Creates the shortcut; out·factor must be divisible by in.</summary>
    /// <exception cref="ArgumentException">The channel counts do not regroup.</exception>
    public DupUp3D(int inChannels, int outChannels, int factorT, int factorS)
    {
        int factor = factorT * factorS * factorS;
        if (outChannels * factor % inChannels != 0)
            throw new ArgumentException($"DupUp3D: {outChannels}·{factor} channels cannot be duplicated from {inChannels}");
        _outChannels = outChannels; _factorT = factorT; _factorS = factorS;
        _repeats = outChannels * factor / inChannels;
    }

    /// <summary>x [B, C, F, H, W] → [B, out, F·ft (− ft + 1 on the first chunk), H·fs, W·fs].</summary>
    public Tensor Forward(Tensor x, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var y = x.repeat_interleave(_repeats, dim: 1)                                      // [B, out·factor, F, H, W]
            .view(b, _outChannels, _factorT, _factorS, _factorS, t, h, w)                 // [B, out, ft, fs_h, fs_w, F, H, W]
            .permute(0, 1, 5, 2, 6, 3, 7, 4).contiguous()                                 // [B, out, F, ft, H, fs_h, W, fs_w]
            .view(b, _outChannels, t * _factorT, h * _factorS, w * _factorS);
        if (firstChunk && _factorT > 1) y = y.narrow(2, _factorT - 1, y.shape[2] - (_factorT - 1));
        return y.MoveToOuterDisposeScope();
    }
}
