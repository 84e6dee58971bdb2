using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Classifier-free guidance: v = v_uncond + w·(v_text − v_uncond), with CogVideoX's optional dynamic scale.</summary>
public static class ClassifierFreeGuidance
{
    /// <summary>Combines the two halves of a CFG batch ordered [uncond; text].</summary>
    public static Tensor Combine(Tensor batchedOutput, double scale)
    {
        var halves = batchedOutput.chunk(2, 0);                      // [2B, ...] → [B, ...] × 2
        return halves[0].add(Sc(scale) * (halves[1] - halves[0]), Sc(1));
    }

    /// <summary>diffusers' dynamic CFG: w_t = 1 + w·(1 − cos(π·((N − t)/N)^5))/2 with t the scheduler <em>timestep</em>
    /// (not the step index) and N the number of inference steps, exactly as pipeline_cogvideox.py computes it.</summary>
    public static double DynamicScale(double guidanceScale, int timestep, int numInferenceSteps)
    {
        double x = (double)(numInferenceSteps - timestep) / numInferenceSteps;
        return 1 + guidanceScale * (1 - Math.Cos(Math.PI * Math.Pow(x, 5.0))) / 2;
    }
}
