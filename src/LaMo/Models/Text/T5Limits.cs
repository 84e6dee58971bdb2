using LaMo.Core;

namespace LaMo.Models.Text;

/// <summary>The resource bound of <see cref="T5Config"/>: the encoder's parameter count.</summary>
public static class T5Limits
{
    /// <summary>Parameters of a T5 v1.1 encoder of <paramref name="c"/> (embedding, per layer q/k/v/o, gated FF and two
    /// norms, the relative-position bias (in every block for UMT5), the final norm): 4,762,310,656 for T5-XXL, the
    /// module's own count.</summary>
    /// <exception cref="OverflowException">Absurd sizes.</exception>
    public static long Parameters(T5Config c)
    {
        checked
        {
            long d = c.DModel, inner = (long)c.NumHeads * c.DKv;
            long layer = 4 * d * inner + 3 * d * c.DFf + 2 * d;
            long biasTables = c.PerLayerPositionBias ? c.NumLayers : 1;
            return (long)c.VocabSize * d + c.NumLayers * layer + biasTables * c.RelativeAttentionNumBuckets * c.NumHeads + d;
        }
    }

    /// <summary>Refuses a T5 config whose encoder would exceed <see cref="ResourceLimits.MaxParameters"/>.</summary>
    public static T5Config Check(T5Config c, string source)
    {
        ResourceLimits.CheckParameters(() => Parameters(c), source, "T5 encoder");
        return c;
    }
}
