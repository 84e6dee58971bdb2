using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Draws from one seeded TorchSharp generator (CPU, float32). Not bit-compatible with PyTorch's own streams.</summary>
public sealed class SeededMotionPriorDraws : IMotionPriorDraws, IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates the source with <paramref name="seed"/>.</summary>
    public SeededMotionPriorDraws(long seed) => _generator = new Generator(unchecked((ulong)seed));

    /// <inheritdoc />
    public Tensor PromptKeep(long n) => rand([n, 1], generator: _generator, device: CPU);

    /// <inheritdoc />
    public Tensor AugmentGate(long n) => rand([n, 1, 1, 1], generator: _generator, device: CPU);

    /// <inheritdoc />
    public Tensor AugmentTimesteps(long n, long numTimesteps) => randint(0, numTimesteps, [n], generator: _generator, device: CPU);

    /// <inheritdoc />
    public Tensor AugmentLevel(long n) => rand([n, 1, 1, 1], generator: _generator, device: CPU);

    /// <inheritdoc />
    public Tensor Noise(long[] shape) => randn(shape, generator: _generator, device: CPU);

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
