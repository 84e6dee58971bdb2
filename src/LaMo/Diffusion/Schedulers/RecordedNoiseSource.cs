using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>Replays given noise tensors in order (for reproducing reference runs whose draws were recorded).</summary>
public sealed class RecordedNoiseSource : INoiseSource
{
    private readonly Queue<Tensor> _draws;

    /// <summary>Replays <paramref name="draws"/> in order. The tensors are borrowed, not owned.</summary>
    public RecordedNoiseSource(IEnumerable<Tensor> draws) => _draws = new Queue<Tensor>(draws);

    /// <summary>How many recorded draws are left.</summary>
    public int Remaining => _draws.Count;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No draws are left.</exception>
    /// <exception cref="ArgumentException">The next draw's shape differs from <paramref name="shape"/>.</exception>
    public Tensor Randn(long[] shape, ScalarType dtype, Device device)
    {
        if (!_draws.TryDequeue(out var t)) throw new InvalidOperationException("no recorded noise draws left");
        if (!t.shape.SequenceEqual(shape))
            throw new ArgumentException($"recorded draw has shape [{string.Join(",", t.shape)}], asked for [{string.Join(",", shape)}]", nameof(shape));
        return t.to(dtype, device);
    }
}
