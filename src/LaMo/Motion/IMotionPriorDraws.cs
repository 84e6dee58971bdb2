using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The random draws of <see cref="MotionPriorLoss"/>, in the order the original makes them. Injectable so
/// recorded draws reproduce a reference run (<see cref="RecordedMotionPriorDraws"/>); <see cref="SeededMotionPriorDraws"/>
/// is the default.</summary>
public interface IMotionPriorDraws
{
    /// <summary>U[0, 1) of shape [N, 1]: a pair keeps its prompt when the value is above the dropout probability.</summary>
    Tensor PromptKeep(long n);

    /// <summary>U[0, 1) of shape [N, 1, 1, 1]: a pair is augmented when the value is below the augmentation probability.</summary>
    Tensor AugmentGate(long n);

    /// <summary>Timesteps t' ~ U{0 … numTimesteps−1}, int64 [N].</summary>
    Tensor AugmentTimesteps(long n, long numTimesteps);

    /// <summary>U[0, 1) of shape [N, 1, 1, 1], the noise level when no ᾱ table is given (original's fallback).</summary>
    Tensor AugmentLevel(long n);

    /// <summary>ε ~ N(0, 1) of <paramref name="shape"/> ([N, C, H, W]).</summary>
    Tensor Noise(long[] shape);
}
