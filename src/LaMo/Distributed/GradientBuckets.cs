namespace LaMo.Distributed;

/// <summary>One contiguous piece of a tensor inside a bucket: elements
/// <c>[TensorOffset, TensorOffset + Count)</c> of tensor <c>Tensor</c> (flattened) sit at <c>BucketOffset</c>.</summary>
public readonly record struct BucketSegment(int Tensor, long TensorOffset, long BucketOffset, long Count);

/// <summary>Packs a list of tensors, flattened and concatenated in order, into fixed-capacity buckets.</summary>
/// <remarks>The concatenation is cut every <c>capacity</c> elements, so every bucket but the last is full and a tensor larger
/// than a bucket is split across several. One collective per bucket amortises MPI's per-call latency
/// (PyTorch DDP's 25 MB default) while the staging buffer stays bounded.</remarks>
public static class GradientBuckets
{
    /// <summary>The buckets for tensors of <paramref name="sizes"/> elements, each holding at most
    /// <paramref name="capacity"/> elements.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size or a capacity ≤ 0.</exception>
    public static IReadOnlyList<IReadOnlyList<BucketSegment>> Plan(IReadOnlyList<long> sizes, long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var buckets = new List<IReadOnlyList<BucketSegment>>();
        var current = new List<BucketSegment>();
        long used = 0;
        for (int i = 0; i < sizes.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(sizes[i], $"sizes[{i}]");
            for (long done = 0; done < sizes[i];)
            {
                long n = Math.Min(sizes[i] - done, capacity - used);
                current.Add(new BucketSegment(i, done, used, n));
                done += n; used += n;
                if (used == capacity) { buckets.Add(current); current = []; used = 0; }
            }
        }
        if (current.Count > 0) buckets.Add(current);
        return buckets;
    }
}
