using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The state one encode or decode pass carries from temporal chunk to chunk: for every cached layer (the
/// causal 3×3×3 convolutions, and the temporal resamplers), the frames the next chunk needs, or the "Rep" mark the
/// temporal upsampler leaves on the first chunk. Typed replacement for diffusers' <c>feat_cache</c> list.</summary>
/// <remarks>diffusers indexes its list by the order in which layers run; every layer runs exactly once per chunk,
/// in the same order, so keying by the layer itself is the same thing. The cache owns its tensors: they leave any
/// dispose scope when stored and are freed when replaced, on <see cref="Clear"/> or on <see cref="Dispose"/>.
/// When autograd records the pass, the stored frames keep their history, so gradients flow across chunks.</remarks>
public sealed class WanFeatureCache : IDisposable
{
    private readonly Dictionary<nn.Module, Tensor> _frames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<nn.Module> _rep = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <summary>Number of layers with cached frames.</summary>
    public int Count => _frames.Count;

    /// <summary>Total bytes held.</summary>
    public long Bytes => _frames.Values.Sum(t => t.NumberOfElements * t.ElementSize);

    /// <summary>True before <paramref name="owner"/> has run on any chunk of this pass.</summary>
    internal bool IsFirst(nn.Module owner) => Get(owner) is null && !IsRep(owner);

    /// <summary>True when <paramref name="owner"/> left the "Rep" mark (temporal upsampler after the first chunk).</summary>
    internal bool IsRep(nn.Module owner)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _rep.Contains(owner);
    }

    /// <summary>The frames cached for <paramref name="owner"/>, or null.</summary>
    internal Tensor? Get(nn.Module owner)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _frames.TryGetValue(owner, out var t) ? t : null;
    }

    /// <summary>Stores <paramref name="frames"/> for <paramref name="owner"/>, taking ownership; frees the previous entry
    /// and clears a "Rep" mark.</summary>
    internal void Set(nn.Module owner, Tensor frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        frames.DetachFromDisposeScope();
        if (_frames.TryGetValue(owner, out var old) && !ReferenceEquals(old, frames)) old.Dispose();
        _frames[owner] = frames;
        _rep.Remove(owner);
    }

    /// <summary>Leaves diffusers' "Rep" mark for <paramref name="owner"/> (no frames).</summary>
    internal void MarkRep(nn.Module owner)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _rep.Add(owner);
    }

    /// <summary>Frees every cached tensor; the cache can then start a new pass.</summary>
    public void Clear()
    {
        foreach (var t in _frames.Values) t.Dispose();
        _frames.Clear();
        _rep.Clear();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        Clear();
        _disposed = true;
    }
}
