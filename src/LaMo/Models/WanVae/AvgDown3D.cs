using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The Wan 2.2 down block's parameter-free shortcut: folds each factor_t × factor_s × factor_s neighbourhood
/// into channels, then averages groups of consecutive channels down to the output width.</summary>
/// <remarks>Port of diffusers <c>AvgDown3D</c> (autoencoder_kl_wan.py @ v0.40.0). Time is front-padded with zeros to a
/// multiple of factor_t, so a 1-frame first chunk averages (0, frame 0). No keys.</remarks>
public sealed class AvgDown3D
{
    private readonly int _outChannels, _factorT, _factorS, _groupSize;

    /// <summary>Creates the shortcut; in·factor must be divisible by out.</summary>
    /// <exception cref="ArgumentException">The channel counts do not regroup.</exception>
    public AvgDown3D(int inChannels, int outChannels, int factorT, int factorS)
    {
        int factor = factorT * factorS * factorS;
        if (inChannels * factor % outChannels != 0)
            throw new ArgumentException($"AvgDown3D: {inChannels}·{factor} channels cannot be averaged into {outChannels}");
        _outChannels = outChannels; _factorT = factorT; _factorS = factorS;
        _groupSize = inChannels * factor / outChannels;
    }

    /// <summary>x [B, C, F, H, W] → [B, out, ⌈F/ft⌉, H/fs, W/fs].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long padT = (_factorT - x.shape[2] % _factorT) % _factorT;
        if (padT > 0) x = nn.functional.pad(x, [0, 0, 0, 0, padT, 0]);
        long b = x.shape[0], c = x.shape[1], t = x.shape[2] / _factorT, h = x.shape[3] / _factorS, w = x.shape[4] / _factorS;
        var folded = x.view(b, c, t, _factorT, h, _factorS, w, _factorS)              // [B, C, T', ft, H', fs, W', fs]
            .permute(0, 1, 3, 5, 7, 2, 4, 6).contiguous()                              // [B, C, ft, fs_h, fs_w, T', H', W']
            .view(b, _outChannels, _groupSize, t, h, w);                               // [B, out, group, T', H', W']
        return folded.mean([2]).MoveToOuterDisposeScope();
    }
}
