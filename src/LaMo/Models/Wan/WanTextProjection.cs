using TorchSharp;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>Projection of the text encoder states to the model width: Linear → GELU(tanh) → Linear.</summary>
/// <remarks>Port of diffusers <c>PixArtAlphaTextProjection(text_dim, D, act_fn="gelu_tanh")</c> (embeddings.py).
/// Keys: <c>linear_1.*</c> [D, text_dim], <c>linear_2.*</c> [D, D].</remarks>
public sealed class WanTextProjection : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear linear_1;
    private readonly AdaptableLinear linear_2;

    /// <summary>Creates the projection <paramref name="inFeatures"/> → <paramref name="hiddenSize"/>.</summary>
    public WanTextProjection(int inFeatures, int hiddenSize, WanParameterOptions options = default) : base(nameof(WanTextProjection))
    {
        linear_1 = new AdaptableLinear(inFeatures, hiddenSize, true, options.Device, options.DType, !options.SkipInit);
        linear_2 = new AdaptableLinear(hiddenSize, hiddenSize, true, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>[B, L, text_dim] → [B, L, D].</summary>
    public override Tensor forward(Tensor caption)
    {
        using var h = linear_1.forward(caption);
        using var a = nn.functional.gelu(h, TorchSharp.Modules.GELU.Approximate.tanh, inplace: false);
        return linear_2.forward(a);
    }
}
