namespace LaMo.Motion;

/// <summary>Analytic parameter and FLOP counts of the motion prior f_φ, so its cost can be set against the backbone's.</summary>
/// <remarks>Counts convolutions and linear layers only (one MAC = one multiply-add, FLOPs ≈ 2·MACs); GroupNorm, GELU,
/// sigmoid and the SE/FiLM element-wise products add O(hidden·H·W) per layer and are left out (&lt; 1% here).
/// Forward + backward ≈ 3× forward is the usual training convention (grad w.r.t. activations and weights);
/// a guidance step needs only the activation gradient, so ≈ 2× forward is its lower bound.</remarks>
public static class MotionPriorFlops
{
    /// <summary>Number of parameters of a prior built from <paramref name="config"/>.</summary>
    public static long ParameterCount(MotionPriorConfig config)
    {
        long hid = config.HiddenChannels, seh = config.SeHiddenChannels, cond = config.PromptCondDim;
        long stem = config.StemInChannels * hid * 9 + hid;
        long block = 2 * (hid * hid * 9 + hid) + 2 * 2 * hid;                      // conv1, conv2, gn1, gn2
        if (config.UseSe) block += hid * seh + seh + seh * hid + hid;              // se.fc1, se.fc2
        if (config.UsePromptCond) block += cond * 2 * hid + 2 * hid;               // film
        long head = hid * config.InChannels * 9 + config.InChannels;
        long prompt = config.UsePromptCond ? config.PromptTextDim * cond + cond + config.PromptTextDim : 0;
        return stem + config.NumResBlocks * block + head + prompt;
    }

    /// <summary>Multiply-accumulates of one forward pass over <paramref name="frames"/> single frames of
    /// <paramref name="height"/>×<paramref name="width"/> latent pixels.</summary>
    public static long ForwardMacs(MotionPriorConfig config, long frames, long height, long width)
    {
        long hw = height * width, hid = config.HiddenChannels, seh = config.SeHiddenChannels;
        long perFrame = hw * config.StemInChannels * hid * 9                        // input_proj
                        + hw * hid * config.InChannels * 9;                          // output_proj
        long block = 2 * hw * hid * hid * 9;                                         // conv1, conv2
        if (config.UseSe) block += 2 * hid * seh;                                    // se.fc1, se.fc2 on [hid, 1, 1]
        if (config.UsePromptCond)
        {
            block += config.PromptCondDim * 2 * hid;                                 // film
            perFrame += (long)config.PromptTextDim * config.PromptCondDim;           // prompt_proj
        }
        return frames * (perFrame + config.NumResBlocks * block);
    }

    /// <summary>Forward FLOPs ≈ 2·MACs.</summary>
    public static double ForwardFlops(MotionPriorConfig config, long frames, long height, long width) =>
        2.0 * ForwardMacs(config, frames, height, width);

    /// <summary>Forward + backward FLOPs ≈ 3× forward (training convention).</summary>
    public static double TrainingStepFlops(MotionPriorConfig config, long frames, long height, long width) =>
        3.0 * ForwardFlops(config, frames, height, width);

    /// <summary>FLOPs of one guided sampling step on a latent with <paramref name="latentFrames"/> frames: the prior
    /// runs on F−1 frames; counted as forward + backward ≈ 3× forward (an upper bound; see remarks).</summary>
    public static double GuidanceStepFlops(MotionPriorConfig config, long latentFrames, long height, long width) =>
        TrainingStepFlops(config, Math.Max(latentFrames - 1, 0), height, width);
}
