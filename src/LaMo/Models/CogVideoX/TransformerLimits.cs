using LaMo.Core;

namespace LaMo.Models.CogVideoX;

/// <summary>The resource bound of <see cref="CogVideoXTransformerConfig"/>: its parameter count, from the config alone.</summary>
public static class TransformerLimits
{
    /// <summary>Parameters of a <see cref="CogVideoXTransformer3DModel"/> of <paramref name="c"/> (matches the module's
    /// own count; see the reliability tests).</summary>
    /// <exception cref="OverflowException">Absurd sizes.</exception>
    public static long Parameters(CogVideoXTransformerConfig c)
    {
        long d = c.InnerDim, t = c.TimeEmbedDim, hd = c.AttentionHeadDim, p = c.PatchSize;
        long affine = c.NormElementwiseAffine ? 2 * d : 0;
        long attnBias = c.AttentionBias ? 4 * d : 0;
        long block = 2 * (6 * d * t + 6 * d + affine)    // norm1, norm2 (LayerNormZero: linear T → 6D + LayerNorm)
                     + 4 * d * d + attnBias + 4 * hd      // to_q/k/v/out + norm_q/norm_k
                     + 8 * d * d + 5 * d;                 // ff: D → 4D → D
        long patchBias = c.PatchBias ? 2 * d : 0;
        long global = c.InChannels * p * p * d + c.TextEmbedDim * d + patchBias      // patch_embed (conv + text_proj)
                      + d * t + t + t * t + t                                        // time_embedding
                      + affine                                                       // norm_final
                      + t * 2 * d + 2 * d + affine                                   // norm_out
                      + d * p * p * c.ResolvedOutChannels + p * p * c.ResolvedOutChannels; // proj_out
        return checked(c.NumLayers * block + global);
    }

    /// <summary>Refuses a config whose parameter count exceeds <see cref="ResourceLimits.MaxParameters"/>.</summary>
    /// <exception cref="InvalidDataException">Names the source, the count and the bound.</exception>
    public static CogVideoXTransformerConfig Check(CogVideoXTransformerConfig c, string source)
    {
        ResourceLimits.CheckParameters(() => Parameters(c), source, "transformer");
        return c;
    }

    /// <summary>Loads a transformer config file (or folder) through the size and parameter bounds.</summary>
    public static CogVideoXTransformerConfig Load(string path)
    {
        string file = ResourceLimits.ConfigFile(path);
        return Check(CogVideoXTransformerConfig.FromJson(ResourceLimits.ReadConfigText(file), file), file);
    }
}
