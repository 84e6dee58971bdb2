using LaMo.Models.CogVideoX;

namespace LaMo.Bench;

/// <summary>Analytic FLOPs of <see cref="CogVideoXTransformer3DModel"/> from its config (forward = 2·MACs; training
/// step ≈ 3 × forward). Counted: every linear (time MLP, text projection, AdaLN modulations, Q/K/V/out, feed-forward,
/// output projection), the patch convolution, and attention's QKᵀ and A·V. Norms, activations, RoPE and softmax are
/// element-wise (O(S·D) per layer) and left out.</summary>
internal static class TransformerFlops
{
    /// <summary>Multiply-accumulates of one forward over <paramref name="batch"/> samples of latent [F, C, H, W] with
    /// <paramref name="textTokens"/> text tokens.</summary>
    public static double ForwardMacs(CogVideoXTransformerConfig c, long batch, long frames, long height, long width, long textTokens)
    {
        double d = c.InnerDim, p = c.PatchSize, te = c.TimeEmbedDim;
        double n = frames * (height / c.PatchSize) * (width / c.PatchSize), l = textTokens, s = n + l;
        double time = d * te + te * te;                                         // time_embedding.linear_1, linear_2
        double patch = n * c.InChannels * p * p * d + l * c.TextEmbedDim * d;    // proj (conv k=p, s=p), text_proj
        double block = 2 * te * 6 * d                                            // norm1.linear, norm2.linear
                       + 4 * s * d * d                                           // to_q, to_k, to_v, to_out.0
                       + 2 * s * s * d                                           // QKᵀ and A·V over all heads
                       + 2 * s * d * 4 * d;                                      // ff.net.0.proj, ff.net.2
        double output = te * 2 * d + n * d * p * p * c.ResolvedOutChannels;      // norm_out.linear, proj_out
        return batch * (time + patch + c.NumLayers * block + output);
    }

    public static double ForwardFlops(CogVideoXTransformerConfig c, long batch, long frames, long height, long width, long textTokens) =>
        2 * ForwardMacs(c, batch, frames, height, width, textTokens);

    /// <summary>Share of attention's QKᵀ/A·V in the forward MACs.</summary>
    public static double AttentionShare(CogVideoXTransformerConfig c, long frames, long height, long width, long textTokens)
    {
        double n = frames * (height / c.PatchSize) * (width / c.PatchSize), s = n + textTokens;
        return c.NumLayers * 2 * s * s * c.InnerDim / ForwardMacs(c, 1, frames, height, width, textTokens);
    }

    /// <summary>Parameters implied by the same formula's layers (weights + biases + norm affines), to check it against
    /// the module definition.</summary>
    public static long ParameterCount(CogVideoXTransformerConfig c)
    {
        long d = c.InnerDim, p = c.PatchSize, te = c.TimeEmbedDim, hd = c.AttentionHeadDim;
        long time = d * te + te + te * te + te;
        long patch = c.InChannels * p * p * d + d + c.TextEmbedDim * d + d;
        long block = 2 * (te * 6 * d + 6 * d + 2 * d)                             // norm1, norm2 (linear + LayerNorm)
                     + 4 * (d * d + d) + 2 * 2 * hd                               // q, k, v, out; norm_q, norm_k
                     + d * 4 * d + 4 * d + 4 * d * d + d;                         // ff
        long output = 2 * d + te * 2 * d + 2 * d + 2 * d + d * p * p * c.ResolvedOutChannels + p * p * c.ResolvedOutChannels;
        return time + patch + c.NumLayers * block + output;
    }
}
