using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>The causal-convolution state carried between temporal chunks of one encode or decode pass: for every
/// <see cref="CogVideoXCausalConv3d"/> with a temporal kernel k &gt; 1, the last k−1 frames of its (time-padded)
/// input. Typed replacement for diffusers' nested <c>conv_cache</c> dicts.</summary>
/// <remarks>The cache owns its tensors: they are detached from any dispose scope when stored and freed when
/// replaced, on <see cref="Clear"/> or on <see cref="Dispose"/>. One cache belongs to one pass over one video.</remarks>
public sealed class ConvCache : IDisposable
{
    private readonly Dictionary<nn.Module, Tensor> _entries = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <summary>Number of convolutions with cached frames.</summary>
    public int Count => _entries.Count;

    /// <summary>Total bytes held.</summary>
    public long Bytes => _entries.Values.Sum(t => t.NumberOfElements * t.ElementSize);

    /// <summary>The frames cached for <paramref name="owner"/>, or null on the first chunk.</summary>
    internal Tensor? Get(nn.Module owner)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _entries.TryGetValue(owner, out var t) ? t : null;
    }

    /// <summary>Stores <paramref name="frames"/> for <paramref name="owner"/>, taking ownership; frees the previous entry.</summary>
    internal void Set(nn.Module owner, Tensor frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        frames.DetachFromDisposeScope();
        if (_entries.TryGetValue(owner, out var old) && !ReferenceEquals(old, frames)) old.Dispose();
        _entries[owner] = frames;
    }

    /// <summary>Frees every cached tensor; the cache can then start a new pass.</summary>
    public void Clear()
    {
        foreach (var t in _entries.Values) t.Dispose();
        _entries.Clear();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        Clear();
        _disposed = true;
    }
}
