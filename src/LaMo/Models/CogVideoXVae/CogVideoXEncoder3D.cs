using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Video → moments [B, 2·latent, F', H/2^(n−1), W/2^(n−1)]: conv_in, down blocks, mid block, GroupNorm,
/// SiLU, conv_out. Runs one temporal chunk; causal state between chunks lives in the <see cref="ConvCache"/>.</summary>
/// <remarks>Port of diffusers <c>CogVideoXEncoder3D</c>. Keys: <c>conv_in.conv.*</c>, <c>down_blocks.{i}.*</c>,
/// <c>mid_block.*</c>, <c>norm_out.*</c>, <c>conv_out.conv.*</c>. GroupNorm statistics span every frame of the
/// chunk, so the result depends on how the video is chunked (as in diffusers).</remarks>
public sealed class CogVideoXEncoder3D : nn.Module<Tensor, ConvCache, Tensor>
{
    private readonly CogVideoXCausalConv3d conv_in;
    private readonly ModuleList<CogVideoXDownBlock3D> down_blocks;
    private readonly CogVideoXMidBlock3D mid_block;
    private readonly VaeGroupNorm norm_out;
    private readonly CogVideoXCausalConv3d conv_out;

    /// <summary>Optional observer of sub-module outputs (<c>down_blocks.i</c>, <c>mid_block</c>, <c>norm_out</c>,
    /// <c>conv_out</c>) for debugging against reference intermediates. The tensor is only valid during the call.</summary>
    public Action<string, Tensor>? Probe { get; set; }

    /// <summary>Creates the encoder from the VAE config.</summary>
    public CogVideoXEncoder3D(AutoencoderKLCogVideoXConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(CogVideoXEncoder3D))
    {
        var ch = config.BlockOutChannels;
        int groups = config.NormNumGroups, level = config.TemporalCompressLevel;
        double eps = config.NormEps;
        conv_in = new CogVideoXCausalConv3d(config.InChannels, ch[0], 3, device, dtype);
        down_blocks = new ModuleList<CogVideoXDownBlock3D>();
        int output = ch[0];
        for (int i = 0; i < ch.Count; i++)
        {
            int input = output;
            output = ch[i];
            bool isFinal = i == ch.Count - 1;
            down_blocks.Add(new CogVideoXDownBlock3D(input, output, config.LayersPerBlock, eps, groups,
                addDownsample: !isFinal, compressTime: i < level, device, dtype));
        }
        mid_block = new CogVideoXMidBlock3D(ch[^1], eps, groups, spatialNormDim: null, device: device, dtype: dtype);
        norm_out = new VaeGroupNorm(groups, ch[^1], 1e-6, device, dtype);
        conv_out = new CogVideoXCausalConv3d(ch[^1], 2 * config.LatentChannels, 3, device, dtype);
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → moments [B, 2·latent, F', H', W'].</summary>
    public override Tensor forward(Tensor x, ConvCache cache)
    {
        Tensor h = conv_in.forward(x, cache);
        for (int i = 0; i < down_blocks.Count; i++)
            h = Step(h, down_blocks[i].forward(h, cache), $"down_blocks.{i}");
        h = Step(h, mid_block.forward(h, null, cache), "mid_block");
        h = Step(h, norm_out.forward(h), "norm_out");
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
