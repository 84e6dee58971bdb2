using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Latents → video: conv_in, mid block, up blocks (reversed widths, layers_per_block + 1 resnets each),
/// spatial norm, SiLU, conv_out. Every norm is conditioned on the chunk's latent z. Runs one temporal chunk.</summary>
/// <remarks>Port of diffusers <c>CogVideoXDecoder3D</c>. Keys: <c>conv_in.conv.*</c>, <c>mid_block.*</c>,
/// <c>up_blocks.{i}.*</c>, <c>norm_out.{norm_layer,conv_y.conv,conv_b.conv}.*</c>, <c>conv_out.conv.*</c>.</remarks>
public sealed class CogVideoXDecoder3D : nn.Module<Tensor, ConvCache, Tensor>
{
    private readonly CogVideoXCausalConv3d conv_in;
    private readonly CogVideoXMidBlock3D mid_block;
    private readonly ModuleList<CogVideoXUpBlock3D> up_blocks;
    private readonly CogVideoXSpatialNorm3D norm_out;
    private readonly CogVideoXCausalConv3d conv_out;

    /// <summary>Optional observer of sub-module outputs (<c>conv_in</c>, <c>mid_block</c>, <c>up_blocks.i</c>,
    /// <c>norm_out</c>, <c>conv_out</c>). The tensor is only valid during the call.</summary>
    public Action<string, Tensor>? Probe { get; set; }

    /// <summary>Creates the decoder from the VAE config.</summary>
    public CogVideoXDecoder3D(AutoencoderKLCogVideoXConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXDecoder3D))
    {
        var rev = config.BlockOutChannels.Reverse().ToArray();
        int groups = config.NormNumGroups, level = config.TemporalCompressLevel, zc = config.LatentChannels;
        double eps = config.NormEps;
        conv_in = new CogVideoXCausalConv3d(zc, rev[0], 3, device, dtype);
        mid_block = new CogVideoXMidBlock3D(rev[0], eps, groups, spatialNormDim: zc, device: device, dtype: dtype);
        up_blocks = new ModuleList<CogVideoXUpBlock3D>();
        int output = rev[0];
        for (int i = 0; i < rev.Length; i++)
        {
            int previous = output;
            output = rev[i];
            bool isFinal = i == rev.Length - 1;
            up_blocks.Add(new CogVideoXUpBlock3D(previous, output, config.LayersPerBlock + 1, eps, groups, zc,
                addUpsample: !isFinal, compressTime: i < level, device, dtype));
        }
        norm_out = new CogVideoXSpatialNorm3D(rev[^1], zc, groups, device, dtype);
        conv_out = new CogVideoXCausalConv3d(rev[^1], config.OutChannels, 3, device, dtype);
        RegisterComponents();
    }

    /// <summary>z [B, latent, F, h, w] → video [B, Cout, F', H, W].</summary>
    public override Tensor forward(Tensor z, ConvCache cache)
    {
        Tensor h = conv_in.forward(z, cache);
        Probe?.Invoke("conv_in", h);
        h = Step(h, mid_block.forward(h, z, cache), "mid_block");
        for (int i = 0; i < up_blocks.Count; i++)
            h = Step(h, up_blocks[i].forward(h, z, cache), $"up_blocks.{i}");
        h = Step(h, norm_out.forward(h, z, cache), "norm_out");
        h = Step(h, nn.functional.silu(h), null);
        return Step(h, conv_out.forward(h, cache), "conv_out");
    }

    private Tensor Step(Tensor previous, Tensor next, string? name)
    {
        previous.Dispose();
        if (name is not null) Probe?.Invoke(name, next);
        return next;
    }
}
