using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Per-step random generators: step s of a run with seed S always draws the same numbers, so an interrupted
/// run resumed from a checkpoint reproduces the uninterrupted losses without saving RNG state.</summary>
public static class StepRandom
{
    /// <summary>A generator for (seed, step, stream); dispose it after the step.</summary>
    public static Generator For(int seed, int step, int stream = 0) =>
        new((ulong)(((long)seed * 1_000_003L + step) * 7919L + stream) & 0x7FFF_FFFF_FFFF_FFFF);

    /// <summary>Strides of <see cref="PredictorDrawSeed"/>: the joint (backbone) task and the predictor-only task. They
    /// differ for historical reasons; both stay so that earlier runs (and the shipped models' cards) reproduce.</summary>
    public const int JointPredictorStride = 64, PredictorOnlyStride = 1;

    /// <summary>Seed of the predictor loss's draws (anchor frames, noise levels) at a step: (seed · 2³²) + step · stride.</summary>
    public static long PredictorDrawSeed(int seed, int step, int stride) => ((long)seed << 32) + (long)step * stride;
}
