using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>Draws noise with <c>torch.randn</c> from a given generator, or from the global one when none is given.</summary>
/// <remarks>TorchSharp's seeded streams are not assumed to match PyTorch's bit for bit.</remarks>
public sealed class GeneratorNoiseSource : INoiseSource
{
    private readonly Generator? _generator;

    /// <summary>Uses <paramref name="generator"/> (not owned), or the global generator when null.</summary>
    public GeneratorNoiseSource(Generator? generator = null) => _generator = generator;

    /// <summary>A source using the global torch generator.</summary>
    public static GeneratorNoiseSource Global { get; } = new();

    /// <inheritdoc />
    public Tensor Randn(long[] shape, ScalarType dtype, Device device) =>
        Core.HostRandom.Randn(shape, _generator, device, dtype);   // drawn on the CPU (the same noise on every device), then moved
}
