using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Video (patchified for Wan 2.2) → moments [B, 2·z_dim, F', H/2^(n−1), W/2^(n−1)] for one temporal chunk:
/// conv_in, down blocks, mid block, RMS norm, SiLU, conv_out. Causal state between chunks lives in the
/// <see cref="WanFeatureCache"/>.</summary>
/// <remarks>Port of diffusers <c>WanEncoder3d</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>conv_in.*</c>,
/// <c>down_blocks.{i}.*</c>, <c>mid_block.*</c>, <c>norm_out.gamma</c>, <c>conv_out.*</c>. Wan 2.1 keeps diffusers'
/// flat list (num_res_blocks resnets, then a <see cref="WanResample"/>, per level); Wan 2.2 has one
/// <see cref="WanResidualDownBlock"/> per level.</remarks>
public sealed class WanEncoder3d : nn.Module<Tensor, WanFeatureCache, Tensor>
{
    private readonly WanCausalConv3d conv_in;
    private readonly ModuleList<nn.Module> down_blocks;
    private readonly WanMidBlock mid_block;
    private readonly WanRMS_norm norm_out;
    private readonly WanCausalConv3d conv_out;

    /// <summary>Optional observer of sub-module outputs (<c>conv_in</c>, <c>down_blocks.i</c>, <c>mid_block</c>) for
    /// debugging against reference intermediates. The tensor is only valid during the call.</summary>
    public Action<string, Tensor>? Probe { get; set; }

    /// <summary>Creates the encoder from the VAE config.</summary>
    public WanEncoder3d(AutoencoderKLWanConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(WanEncoder3d))
    {
        int dim = config.BaseDim, n = config.DimMult.Count;
        int[] dims = [dim, .. config.DimMult.Select(m => dim * m)];
        conv_in = new WanCausalConv3d(config.InChannels, dims[0], 3, padding: 1, device, dtype);
        down_blocks = new ModuleList<nn.Module>();
        for (int i = 0; i < n; i++)
        {
            int inDim = dims[i], outDim = dims[i + 1];
            bool last = i == n - 1;
            if (config.IsResidual)
            {
                down_blocks.Add(new WanResidualDownBlock(inDim, outDim, config.Dropout, config.NumResBlocks,
                    temperalDownsample: !last && config.TemperalDownsample[i], downFlag: !last, device, dtype));
                continue;
            }
            for (int j = 0; j < config.NumResBlocks; j++, inDim = outDim)
                down_blocks.Add(new WanResidualBlock(inDim, outDim, config.Dropout, device, dtype));
            if (!last)
                down_blocks.Add(new WanResample(outDim, config.TemperalDownsample[i] ? WanResampleMode.Downsample3d : WanResampleMode.Downsample2d,
                    device: device, dtype: dtype));
        }
        mid_block = new WanMidBlock(dims[^1], config.Dropout, device, dtype);
        norm_out = new WanRMS_norm(dims[^1], images: false, device, dtype);
        conv_out = new WanCausalConv3d(dims[^1], config.ZDim * 2, 3, padding: 1, device, dtype);
        RegisterComponents();
    }

    /// <summary>x [B, in_channels, F, H, W] (one chunk) → [B, 2·z_dim, F', H', W'].</summary>
    public override Tensor forward(Tensor x, WanFeatureCache cache)
    {
        using var scope = NewDisposeScope();
        var h = Observe("conv_in", conv_in.Forward(x, cache));
        for (int i = 0; i < down_blocks.Count; i++)
        {
            h = down_blocks[i] switch
            {
                WanResidualBlock block => block.forward(h, cache),
                WanResample resample => resample.forward(h, cache),
                WanResidualDownBlock block => block.forward(h, cache),
                var other => throw new InvalidOperationException($"unexpected encoder layer {other.GetName()}"),
            };
            Observe($"down_blocks.{i}", h);
        }
        h = Observe("mid_block", mid_block.forward(h, cache));
        h = nn.functional.silu(norm_out.forward(h));
        return conv_out.Forward(h, cache).MoveToOuterDisposeScope();
    }

    private Tensor Observe(string name, Tensor t)
    {
        Probe?.Invoke(name, t);
        return t;
    }
}
