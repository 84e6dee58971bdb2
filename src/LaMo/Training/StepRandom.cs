using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Per-step random generators: step s of a run with seed S always draws the same numbers, so an interrupted
/// run resumed from a checkpoint reproduces the uninterrupted losses without saving RNG state.</summary>
public static class StepRandom
{
    /// <summary>A generator for (seed, step, stream); dispose it after the step.</summary>
    public static Generator For(int seed, int step, int stream = 0) =>
        new((ulong)(((long)seed * 1_000_003L + step) * 7919L + stream) & 0x7FFF_FFFF_FFFF_FFFF);
}
