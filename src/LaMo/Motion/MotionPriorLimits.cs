using LaMo.Core;

namespace LaMo.Motion;

/// <summary>The resource bounds of <see cref="MotionPriorConfig"/>, whose record has no upper bounds of its own.</summary>
public static class MotionPriorLimits
{
    /// <summary>Approximate parameters of a <see cref="MotionPrior"/>.</summary>
    public static long Parameters(MotionPriorConfig c)
    {
        long h = c.HiddenChannels;
        long block = 2 * 9 * h * h + 2L * h * Math.Max(h / Math.Max(c.SeReduction, 1), 4) + (c.UsePromptCond ? 2L * c.PromptCondDim * h : 0);
        return checked(9L * c.StemInChannels * h + c.NumResBlocks * block + 9L * h * c.InChannels
                       + (c.UsePromptCond ? (long)c.PromptTextDim * c.PromptCondDim : 0));
    }

    /// <summary>Refuses a predictor config that is absurd (widths beyond 65536, more than 1024 blocks, or more than
    /// <see cref="ResourceLimits.MaxParameters"/> parameters).</summary>
    public static MotionPriorConfig Check(MotionPriorConfig c, string source)
    {
        ResourceLimits.Bound(source, "in_channels", c.InChannels, 4096);
        ResourceLimits.Bound(source, "hidden_channels", c.HiddenChannels, 65_536);
        ResourceLimits.Bound(source, "num_res_blocks", c.NumResBlocks, 1024);
        ResourceLimits.Bound(source, "prompt_text_dim", c.PromptTextDim, 65_536);
        ResourceLimits.Bound(source, "prompt_cond_dim", c.PromptCondDim, 65_536);
        ResourceLimits.CheckParameters(() => Parameters(c), source, "predictor");
        return c;
    }

    /// <summary>Parses a predictor config through the bounds; malformed JSON is an <see cref="InvalidDataException"/>.</summary>
    public static MotionPriorConfig Parse(string json, string source)
    {
        try { return Check(MotionPriorConfig.FromJson(json), source); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message.Split('.')[0]})", e); }
    }
}
