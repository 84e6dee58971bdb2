using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Residual block: shortcut(x) + conv2(dropout(SiLU(norm2(conv1(SiLU(norm1(x))))))), both 3×3×3 convs
/// causal and cached between chunks.</summary>
/// <remarks>Port of diffusers <c>WanResidualBlock</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>norm1.gamma</c>,
/// <c>conv1.*</c>, <c>norm2.gamma</c>, <c>conv2.*</c>, and <c>conv_shortcut.*</c> (a 1×1×1 causal conv) when the
/// channel count changes. Dropout is diffusers' <c>nn.Dropout</c> at index-free position (no keys).</remarks>
public sealed class WanResidualBlock : nn.Module<Tensor, WanFeatureCache?, Tensor>
{
    private readonly WanRMS_norm norm1;
    private readonly WanCausalConv3d conv1;
    private readonly WanRMS_norm norm2;
    private readonly WanCausalConv3d conv2;
    private readonly WanCausalConv3d? conv_shortcut;
    private readonly double _dropout;

    /// <summary>Creates the block.</summary>
    public WanResidualBlock(int inDim, int outDim, double dropout, Device? device = null, ScalarType? dtype = null)
        : base(nameof(WanResidualBlock))
    {
        _dropout = dropout;
        norm1 = new WanRMS_norm(inDim, images: false, device, dtype);
        conv1 = new WanCausalConv3d(inDim, outDim, 3, padding: 1, device, dtype);
        norm2 = new WanRMS_norm(outDim, images: false, device, dtype);
        conv2 = new WanCausalConv3d(outDim, outDim, 3, padding: 1, device, dtype);
        if (inDim != outDim) conv_shortcut = new WanCausalConv3d(inDim, outDim, 1, padding: 0, device, dtype);
        RegisterComponents();
    }

    /// <summary>x [B, Cin, F, H, W] → [B, Cout, F, H, W].</summary>
    public override Tensor forward(Tensor x, WanFeatureCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = conv_shortcut is null ? x : conv_shortcut.forward(x, null);
        var y = nn.functional.silu(norm1.forward(x));
        y = conv1.Forward(y, cache);
        y = nn.functional.silu(norm2.forward(y));
        if (_dropout > 0 && training) y = nn.functional.dropout(y, _dropout, training: true);
        y = conv2.Forward(y, cache);
        return y.add(h, Sc(1)).MoveToOuterDisposeScope();
    }
}
