using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The Wan VAE's "RMS" norm over channels: x / max(‖x‖₂, 1e-12) · √C · γ, i.e. an L2 normalisation of each
/// position's channel vector (no mean subtraction, no ε inside a square root), with a learned per-channel gain.</summary>
/// <remarks>Port of diffusers <c>WanRMS_norm</c> (autoencoder_kl_wan.py @ v0.40.0) with <c>channel_first=True</c>
/// and <c>bias=False</c> (every use in the VAE). Key: <c>gamma</c>, shaped [C, 1, 1, 1] for video
/// (<c>images=false</c>) or [C, 1, 1] for per-frame images; initialised to ones. Half-precision inputs are normalised
/// in fp32, as diffusers does.</remarks>
public sealed class WanRMS_norm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;
    private readonly double _scale;

    /// <summary>Creates the norm for <paramref name="dim"/> channels.</summary>
    /// <param name="images">True for 4-D [N, C, H, W] inputs (gamma [C, 1, 1]), false for 5-D video (gamma [C, 1, 1, 1]).</param>
    public WanRMS_norm(int dim, bool images, Device? device = null, ScalarType? dtype = null) : base(nameof(WanRMS_norm))
    {
        _scale = Math.Sqrt(dim);
        long[] shape = images ? [dim, 1, 1] : [dim, 1, 1, 1];
        gamma = new Parameter(ones(shape, dtype: dtype, device: device));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        bool half = x.dtype is ScalarType.Float16 or ScalarType.BFloat16;
        var normalized = nn.functional.normalize(half ? x.to_type(ScalarType.Float32) : x, p: 2.0, dim: 1, eps: 1e-12);
        if (half) normalized = normalized.to_type(x.dtype);
        return normalized.mul(Sc(_scale)).mul(gamma).MoveToOuterDisposeScope();   // ·√C·γ (diffusers adds a bias of 0.0)
    }
}
