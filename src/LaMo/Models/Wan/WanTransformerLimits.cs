using LaMo.Core;

namespace LaMo.Models.Wan;

/// <summary>The resource bound of <see cref="WanTransformerConfig"/>: its parameter count, from the config alone.</summary>
public static class WanTransformerLimits
{
    /// <summary>Parameters of a <see cref="WanTransformer3DModel"/> of <paramref name="c"/> (matches the module's own
    /// count; see the tests).</summary>
    /// <exception cref="OverflowException">Absurd sizes.</exception>
    public static long Parameters(WanTransformerConfig c)
    {
        checked
        {
            long d = c.InnerDim, ffn = c.FfnDim, patch = c.PatchSize.Volume, cout = c.ResolvedOutChannels;
            long attention = 4 * (d * d + d) + 2 * d;                  // to_q/k/v/out.0 + norm_q/norm_k
            long block = 6 * d                                         // scale_shift_table
                         + 2 * attention                               // attn1, attn2
                         + (c.CrossAttnNorm ? 2 * d : 0)               // norm2
                         + d * ffn + ffn + ffn * d + d;                // ffn.net.0.proj, ffn.net.2
            long global = c.InChannels * patch * d + d                 // patch_embedding
                          + c.FreqDim * d + d + d * d + d              // time_embedder
                          + d * 6 * d + 6 * d                          // time_proj
                          + c.TextDim * d + d + d * d + d              // text_embedder
                          + 2 * d                                      // scale_shift_table
                          + d * patch * cout + patch * cout;           // proj_out
            return c.NumLayers * block + global;
        }
    }

    /// <summary>Refuses a config whose parameter count exceeds <see cref="ResourceLimits.MaxParameters"/>.</summary>
    /// <exception cref="InvalidDataException">Names the source, the count and the bound.</exception>
    public static WanTransformerConfig Check(WanTransformerConfig c, string source)
    {
        ResourceLimits.CheckParameters(() => Parameters(c), source, "transformer");
        return c;
    }

    /// <summary>Loads a transformer config file (or folder) through the size and parameter bounds.</summary>
    public static WanTransformerConfig Load(string path)
    {
        string file = ResourceLimits.ConfigFile(path);
        return Check(WanTransformerConfig.FromJson(ResourceLimits.ReadConfigText(file), file), file);
    }
}
