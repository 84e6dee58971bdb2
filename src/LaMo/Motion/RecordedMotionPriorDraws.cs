using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Replays recorded draws (e.g. a golden case's <c>stochastic.draw_*</c>). Tensors are borrowed; a draw
/// that was not recorded, or has the wrong shape, throws.</summary>
/// <param name="PromptKeepRand">[N, 1] uniform values (<c>draw_prompt_keep_rand</c>).</param>
/// <param name="AugRand">[N, 1, 1, 1] uniform values (<c>draw_aug_rand</c>).</param>
/// <param name="AugTimesteps">[N] int64 timesteps (<c>draw_aug_timesteps</c>).</param>
/// <param name="NoiseDraw">[N, C, H, W] standard normal noise (<c>draw_noise</c>).</param>
/// <param name="AugLevel">[N, 1, 1, 1] uniform noise levels for the no-table path.</param>
public sealed record RecordedMotionPriorDraws(Tensor? PromptKeepRand, Tensor? AugRand, Tensor? AugTimesteps, Tensor? NoiseDraw,
    Tensor? AugLevel = null) : IMotionPriorDraws
{
    /// <inheritdoc />
    public Tensor PromptKeep(long n) => Check(PromptKeepRand, nameof(PromptKeepRand), [n, 1]);

    /// <inheritdoc />
    public Tensor AugmentGate(long n) => Check(AugRand, nameof(AugRand), [n, 1, 1, 1]);

    /// <inheritdoc />
    public Tensor AugmentTimesteps(long n, long numTimesteps) => Check(AugTimesteps, nameof(AugTimesteps), [n]);

    /// <inheritdoc />
    public Tensor AugmentLevel(long n) => Check(AugLevel, nameof(AugLevel), [n, 1, 1, 1]);

    /// <inheritdoc />
    public Tensor Noise(long[] shape) => Check(NoiseDraw, nameof(NoiseDraw), shape);

    private static Tensor Check(Tensor? t, string name, long[] shape)
    {
        if (t is null) throw new InvalidOperationException($"{name} was drawn but not recorded");
        if (!t.shape.SequenceEqual(shape))
            throw new ArgumentException($"{name} has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}]", name);
        return t.alias();
    }
}
