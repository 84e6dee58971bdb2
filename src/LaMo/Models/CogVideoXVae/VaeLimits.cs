using LaMo.Core;

namespace LaMo.Models.CogVideoXVae;

/// <summary>The resource bound of <see cref="AutoencoderKLCogVideoXConfig"/>: an approximate parameter count.</summary>
public static class VaeLimits
{
    /// <summary>Approximate parameters of an <see cref="AutoencoderKLCogVideoX"/> (3×3×3 convolutions dominate).</summary>
    public static long Parameters(AutoencoderKLCogVideoXConfig c)
    {
        long total = 0;
        foreach (int ch in c.BlockOutChannels)
        {
            long conv = 27L * ch * ch;
            total += (2L * c.LayersPerBlock + 1) * 2 * conv;   // encoder resnets (2 convs each)
            total += (2L * (c.LayersPerBlock + 1) + 1) * 2 * conv; // decoder resnets (one more layer)
        }
        long top = c.BlockOutChannels[^1];
        total += 4 * 2 * 27L * top * top;                          // mid blocks of encoder and decoder
        return total;
    }

    /// <summary>Refuses a config whose parameter count exceeds <see cref="ResourceLimits.MaxParameters"/>.</summary>
    public static AutoencoderKLCogVideoXConfig Check(AutoencoderKLCogVideoXConfig c, string source)
    {
        ResourceLimits.CheckParameters(() => Parameters(c), source, "VAE");
        return c;
    }

    /// <summary>Loads a VAE config file (or folder) through the size and parameter bounds.</summary>
    public static AutoencoderKLCogVideoXConfig Load(string path)
    {
        string file = ResourceLimits.ConfigFile(path);
        return Check(AutoencoderKLCogVideoXConfig.FromJson(ResourceLimits.ReadConfigText(file), file), file);
    }
}
