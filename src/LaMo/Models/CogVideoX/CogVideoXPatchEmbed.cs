using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Text projection plus per-frame patch convolution, concatenated as [text ; video], plus the 3-D sin-cos
/// table when RoPE is off.</summary>
/// <remarks>Port of diffusers <c>CogVideoXPatchEmbed</c> (embeddings.py, v0.33) for <c>patch_size_t=None</c>.
/// Keys: <c>proj.*</c> [D, C, p, p], <c>text_proj.*</c> [D, D_text]. The sin-cos table is diffusers' non-persistent
/// <c>pos_embedding</c> buffer: here it is computed on first use and cached, never part of the state dict.</remarks>
public sealed class CogVideoXPatchEmbed : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d proj;
    private readonly AdaptableLinear text_proj;
    private readonly CogVideoXTransformerConfig _config;
    private (int H, int W, int Frames, ScalarType DType, Tensor Table)? _cache;

    /// <summary>Creates the embedding from the model config.</summary>
    public CogVideoXPatchEmbed(CogVideoXTransformerConfig config, ParameterOptions options = default) : base(nameof(CogVideoXPatchEmbed))
    {
        _config = config;
        int p = config.PatchSize;
        proj = nn.Conv2d(config.InChannels, config.InnerDim, kernel_size: p, stride: p, bias: config.PatchBias, device: options.Device, dtype: options.DType);
        text_proj = new AdaptableLinear(config.TextEmbedDim, config.InnerDim, config.PatchBias, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>Text [B, L, D_text] and latents [B, F, C, H, W] → [B, L + F·H/p·W/p, D].</summary>
    public override Tensor forward(Tensor textEmbeds, Tensor imageEmbeds)
    {
        using var scope = NewDisposeScope();
        var text = text_proj.forward(textEmbeds);                                  // [B, L, D]
        long b = imageEmbeds.size(0), f = imageEmbeds.size(1), c = imageEmbeds.size(2), h = imageEmbeds.size(3), w = imageEmbeds.size(4);
        var x = SafeConv.Forward(proj, imageEmbeds.reshape(b * f, c, h, w));                 // [B·F, D, H/p, W/p]
        x = x.view(b, f, x.size(1), x.size(2), x.size(3))                          // [B, F, D, H/p, W/p]
             .flatten(3).transpose(2, 3)                                           // [B, F, H/p·W/p, D]
             .flatten(1, 2);                                                       // [B, F·H/p·W/p, D]
        var embeds = cat([text, x], dim: 1).contiguous();
        if (!_config.UseRotaryPositionalEmbeddings)
        {
            int preTimeCompressionFrames = (int)(f - 1) * _config.TemporalCompressionRatio + 1;
            var table = CachedTable((int)h, (int)w, preTimeCompressionFrames, embeds.dtype);
            embeds = embeds.add(table.to(embeds.device), Sc(1));
        }
        return embeds.MoveToOuterDisposeScope();
    }

    /// <summary>diffusers <c>_get_positional_embeddings(height, width, frames)</c>: [1, L_max + F'·H/p·W/p, D] float64 with
    /// zero text rows, where F' = (frames − 1) / temporal_compression_ratio + 1.</summary>
    /// <param name="height">Latent height.</param>
    /// <param name="width">Latent width.</param>
    /// <param name="frames">Pixel-space frames ((F − 1)·ratio + 1 for F latent frames).</param>
    public Tensor PositionalEmbedding(int height, int width, int frames)
    {
        using var scope = NewDisposeScope();
        int p = _config.PatchSize;
        int ph = height / p, pw = width / p;
        int t = (frames - 1) / _config.TemporalCompressionRatio + 1;
        long numPatches = (long)ph * pw * t;
        var table = SinCosPositionalEmbedding3D.Table(_config.InnerDim, pw, ph, t,
            _config.SpatialInterpolationScale, _config.TemporalInterpolationScale).flatten(0, 1);   // [T·H·W, D]
        var joint = zeros(new[] { 1, _config.MaxTextSeqLength + numPatches, _config.InnerDim }, dtype: ScalarType.Float64, device: CPU);
        joint.narrow(1, _config.MaxTextSeqLength, numPatches).copy_(table.unsqueeze(0));
        return joint.MoveToOuterDisposeScope();
    }

    // diffusers recomputes the table on every call when the size differs from the sample size; the values are a
    // pure function of (H, W, frames), so one cached entry gives the same numbers.
    private Tensor CachedTable(int h, int w, int frames, ScalarType dtype)
    {
        if (_cache is { } c && c.H == h && c.W == w && c.Frames == frames && c.DType == dtype) return c.Table;
        _cache?.Table.Dispose();
        using var t64 = PositionalEmbedding(h, w, frames);
        var table = t64.to(dtype).DetachFromDisposeScope();
        _cache = (h, w, frames, dtype, table);
        return table;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) { _cache?.Table.Dispose(); _cache = null; }
        base.Dispose(disposing);
    }
}
