using LaMo.Core;

namespace LaMo.Models.WanVae;

/// <summary>The resource bound of <see cref="AutoencoderKLWanConfig"/>: an upper estimate of the parameter count, computed
/// from the config alone so an absurd config is refused before anything is allocated.</summary>
public static class WanVaeLimits
{
    /// <summary>Approximate parameters of an <see cref="AutoencoderKLWan"/>: the 3×3×3 convolutions of the resnets, which
    /// dominate, counted at each block's output width (an over-estimate for the narrower inputs).</summary>
    public static long Parameters(AutoencoderKLWanConfig c)
    {
        long total = 0;
        foreach (int m in c.DimMult)
        {
            long enc = (long)c.BaseDim * m, dec = (long)c.DecoderDim * m;
            total += 2L * c.NumResBlocks * 27 * enc * enc;              // encoder resnets, two convs each
            total += 2L * (c.NumResBlocks + 1) * 27 * dec * dec;        // decoder resnets (one more per block)
            total += 2L * 9 * dec * dec + 6L * dec * dec;               // resample conv and time conv
        }
        long encTop = (long)c.BaseDim * c.DimMult[^1], decTop = (long)c.DecoderDim * c.DimMult[^1];
        total += 2 * 2 * 27 * (encTop * encTop + decTop * decTop);      // mid-block resnets
        return total;
    }

    /// <summary>Refuses a config whose parameter count exceeds <see cref="ResourceLimits.MaxParameters"/>.</summary>
    /// <exception cref="InvalidDataException">Names the source and the count.</exception>
    public static AutoencoderKLWanConfig Check(AutoencoderKLWanConfig c, string source)
    {
        ResourceLimits.CheckParameters(() => Parameters(c), source, "VAE");
        return c;
    }

    /// <summary>Loads a VAE config file (or folder) through the size and parameter bounds.</summary>
    /// <exception cref="FileNotFoundException">No config file.</exception>
    /// <exception cref="InvalidDataException">Too large, malformed, or beyond the bounds.</exception>
    public static AutoencoderKLWanConfig Load(string path)
    {
        string file = ResourceLimits.ConfigFile(path);
        return Check(AutoencoderKLWanConfig.FromJson(ResourceLimits.ReadConfigText(file), file), file);
    }
}
