using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Latents [B, z_dim, 1, h, w] (one latent frame per chunk) → video (patchified for Wan 2.2): conv_in, mid
/// block, up blocks, RMS norm, SiLU, conv_out. Causal state between chunks lives in the <see cref="WanFeatureCache"/>.</summary>
/// <remarks>Port of diffusers <c>WanDecoder3d</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>conv_in.*</c>,
/// <c>mid_block.*</c>, <c>up_blocks.{i}.*</c>, <c>norm_out.gamma</c>, <c>conv_out.*</c>. Widths are
/// decoder_base_dim × [m[−1]] + reversed(dim_mult); Wan 2.1's upsamplers halve the width, so every block after the
/// first takes half of the previous width in.</remarks>
public sealed class WanDecoder3d : nn.Module<Tensor, WanFeatureCache, bool, Tensor>
{
    private readonly WanCausalConv3d conv_in;
    private readonly WanMidBlock mid_block;
    private readonly ModuleList<nn.Module> up_blocks;
    private readonly WanRMS_norm norm_out;
    private readonly WanCausalConv3d conv_out;

    /// <summary>Optional observer of sub-module outputs (<c>conv_in</c>, <c>mid_block</c>, <c>up_blocks.i</c>) for
    /// debugging against reference intermediates. The tensor is only valid during the call.</summary>
    public Action<string, Tensor>? Probe { get; set; }

    /// <summary>Creates the decoder from the VAE config.</summary>
    public WanDecoder3d(AutoencoderKLWanConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(WanDecoder3d))
    {
        int dim = config.DecoderDim, n = config.DimMult.Count;
        int[] dims = [dim * config.DimMult[^1], .. config.DimMult.Reverse().Select(m => dim * m)];
        var temperalUpsample = config.TemperalDownsample.Reverse().ToArray();
        conv_in = new WanCausalConv3d(config.ZDim, dims[0], 3, padding: 1, device, dtype);
        mid_block = new WanMidBlock(dims[0], config.Dropout, device, dtype);
        up_blocks = new ModuleList<nn.Module>();
        for (int i = 0; i < n; i++)
        {
            int inDim = dims[i], outDim = dims[i + 1];
            bool up = i != n - 1;
            if (config.IsResidual)
            {
                up_blocks.Add(new WanResidualUpBlock(inDim, outDim, config.NumResBlocks, config.Dropout,
                    temperalUpsample: up && temperalUpsample[i], upFlag: up, device, dtype));
                continue;
            }
            if (i > 0) inDim /= 2;                                   // the previous upsampler halved the width
            WanResampleMode? mode = !up ? null : temperalUpsample[i] ? WanResampleMode.Upsample3d : WanResampleMode.Upsample2d;
            up_blocks.Add(new WanUpBlock(inDim, outDim, config.NumResBlocks, config.Dropout, mode, device, dtype));
        }
        norm_out = new WanRMS_norm(dims[^1], images: false, device, dtype);
        conv_out = new WanCausalConv3d(dims[^1], config.OutChannels, 3, padding: 1, device, dtype);
        RegisterComponents();
    }

    /// <summary>x [B, z_dim, F, h, w] (one chunk) → [B, out_channels, F', H, W]; <paramref name="firstChunk"/> marks the pass's first chunk.</summary>
    public override Tensor forward(Tensor x, WanFeatureCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = Observe("conv_in", conv_in.Forward(x, cache));
        h = Observe("mid_block", mid_block.forward(h, cache));
        for (int i = 0; i < up_blocks.Count; i++)
        {
            h = up_blocks[i] switch
            {
                WanUpBlock block => block.forward(h, cache, firstChunk),
                WanResidualUpBlock block => block.forward(h, cache, firstChunk),
                var other => throw new InvalidOperationException($"unexpected decoder layer {other.GetName()}"),
            };
            Observe($"up_blocks.{i}", h);
        }
        h = nn.functional.silu(norm_out.forward(h));
        return conv_out.Forward(h, cache).MoveToOuterDisposeScope();
    }

    private Tensor Observe(string name, Tensor t)
    {
        Probe?.Invoke(name, t);
        return t;
    }
}
