using LaMo.Data;
using System.Text;
using LaMo.Training;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Distributed;

/// <summary>Data-parallel <see cref="IGradientSync"/> over MPI: bucketed in-place all-reduce of the gradients, mean of the
/// logged scalars, and rank 0's parameters broadcast at start.</summary>
/// <remarks>
/// Gradients are flattened in parameter order into a float32 staging buffer of <see cref="BucketBytes"/>
/// (<see cref="GradientBuckets"/>), one <c>MPI_Allreduce(MPI_IN_PLACE, MPI_SUM)</c> per bucket, divided by the rank
/// count and copied back. A parameter without a gradient counts as zeros and keeps no gradient (every rank must then
/// have none for it, as happens for a frozen or unused parameter). float32 and bfloat16 tensors: bf16 gradients
/// are staged through the float32 buffer too (exact widening, float32 sum, mean rounded once to bf16), which is more
/// accurate than PyTorch DDP's in-place bf16 reduction (rounding after every partial sum) at twice the bytes on the
/// wire; <see cref="MpiContext.AllReduceSumBFloat16"/> is the in-place bf16 collective for when bandwidth matters more.
/// Tensors on a GPU take the same path: the copies into and out of the host staging buffer are the device-to-host and
/// host-to-device transfers, so any MPI works. A CUDA-aware MPI could reduce the device buffers in place instead, without
/// the two copies; that is a future option, not built (docs/distributed.md).
/// Owns the staging buffer (<see cref="IDisposable"/>); does not own the <see cref="MpiContext"/>.
/// </remarks>
public sealed unsafe class MpiGradientSync : IGradientSync, IDisposable
{
    /// <summary>PyTorch DDP's default bucket size (25 MiB).</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly MpiContext _mpi;
    private readonly long _bucketFloats;
    private float[] _staging = [];   // pinned; MPI reads and writes it directly
    private Tensor? _buffer;         // [_staging.Length] float32 view of _staging (torch.frombuffer shares memory)

    /// <summary>Averages over the ranks of <paramref name="mpi"/>.</summary>
    /// <param name="mpi">The job (borrowed).</param>
    /// <param name="bucketBytes">Staging bucket size in bytes (4 B to 1 GiB); defaults to <see cref="DefaultBucketBytes"/>.</param>
    public MpiGradientSync(MpiContext mpi, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, (long)sizeof(float), nameof(bucketBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketBytes, 1L << 30, nameof(bucketBytes));   // a managed, pinned array
        _mpi = mpi;
        BucketBytes = bucketBytes;
        _bucketFloats = bucketBytes / sizeof(float);
    }

    /// <summary>Staging bucket size in bytes.</summary>
    public long BucketBytes { get; }

    /// <summary>This rank's share of each global batch.</summary>
    public DataShard Shard => new(_mpi.Rank, _mpi.Size);

    /// <inheritdoc/>
    public bool IsRoot => _mpi.IsRoot;

    /// <inheritdoc/>
    public void AllReduceGradients(IEnumerable<Parameter> parameters)
    {
        if (_mpi.Size == 1) return;
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).ToList();
        for (int i = 0; i < grads.Count; i++)
            if (grads[i] is { } g) CheckFloating(g, $"gradient {i}");
        var sizes = grads.Select(g => g?.numel() ?? 0).ToList();
        foreach (var bucket in GradientBuckets.Plan(sizes, _bucketFloats))
        {
            var (buffer, used) = Stage(bucket);
            foreach (var s in bucket)
            {
                var dst = buffer.narrow(0, s.BucketOffset, s.Count);
                if (grads[s.Tensor] is { } g) dst.copy_(g.view(-1).narrow(0, s.TensorOffset, s.Count));
                else dst.zero_();
            }
            fixed (float* p = _staging) _mpi.AllReduceSumFloats(p, used);
            buffer.narrow(0, 0, used).div_(Sc(_mpi.Size));
            foreach (var s in bucket)
                grads[s.Tensor]?.view(-1).narrow(0, s.TensorOffset, s.Count).copy_(buffer.narrow(0, s.BucketOffset, s.Count));
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> AverageScalars(IReadOnlyDictionary<string, double> values)
    {
        var keys = values.Keys.Order(StringComparer.Ordinal).ToArray();
        if (_mpi.Size == 1) return keys.ToDictionary(k => k, k => values[k]);
        CheckSameOnEveryRank(string.Join('\n', keys), "scalar names");
        var v = keys.Select(k => values[k]).ToArray();
        _mpi.AllReduceSum(v);
        return keys.Select((k, i) => (k, v[i] / _mpi.Size)).ToDictionary(t => t.k, t => t.Item2);
    }

    /// <inheritdoc/>
    public void Barrier() => _mpi.Barrier();

    /// <summary>Overwrites every rank's parameters with rank 0's (call once after building or restoring the model, so
    /// ranks start identical even if their initialisation or checkpoint reads differ).</summary>
    /// <exception cref="InvalidOperationException">The ranks' parameter lists differ in count or shapes.</exception>
    public void BroadcastParameters(IEnumerable<Parameter> parameters)
    {
        if (_mpi.Size == 1) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ps = parameters.ToList();
        foreach (var (p, i) in ps.Select((p, i) => (p, i))) CheckFloating(p, $"parameter {i}");
        CheckSameOnEveryRank(string.Join(';', ps.Select(p => string.Join('x', p.shape))), "parameter shapes");
        foreach (var bucket in GradientBuckets.Plan(ps.Select(p => p.numel()).ToList(), _bucketFloats))
        {
            var (buffer, used) = Stage(bucket);
            if (_mpi.IsRoot)
                foreach (var s in bucket)
                    buffer.narrow(0, s.BucketOffset, s.Count).copy_(ps[s.Tensor].view(-1).narrow(0, s.TensorOffset, s.Count));
            fixed (float* p = _staging) _mpi.BroadcastFloats(p, used, root: 0);
            if (!_mpi.IsRoot)
                foreach (var s in bucket)
                    ps[s.Tensor].view(-1).narrow(0, s.TensorOffset, s.Count).copy_(buffer.narrow(0, s.BucketOffset, s.Count));
        }
    }

    /// <summary>The staging buffer (grown to the largest bucket seen, at most one bucket) and the bucket's length.</summary>
    private (Tensor Buffer, long Used) Stage(IReadOnlyList<BucketSegment> bucket)
    {
        long used = bucket[^1].BucketOffset + bucket[^1].Count;
        if (_buffer is null || _staging.Length < used)
        {
            _buffer?.Dispose();
            _staging = GC.AllocateArray<float>((int)Math.Min(_bucketFloats, Math.Max(used, 1)), pinned: true);
            _buffer = frombuffer(_staging, ScalarType.Float32).DetachFromDisposeScope();
        }
        return (_buffer, used);
    }

    /// <summary>float32 or bfloat16 (exactly representable in the float32 staging buffer), contiguous, on any device (copied
    /// through host memory).</summary>
    private static void CheckFloating(Tensor t, string what)
    {
        if (t.dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new NotSupportedException($"{what} is {t.dtype} on {t.device}; MPI averaging supports float32 and bfloat16 only");
        if (!t.is_contiguous())
            throw new NotSupportedException($"{what} is not contiguous; MPI averaging copies flat views");
    }

    /// <summary>Fails on every rank (not a hang in the next collective) when ranks disagree on <paramref name="text"/>.</summary>
    private void CheckSameOnEveryRank(string text, string what)
    {
        ulong h = 14695981039346656037UL;   // FNV-1a, 64-bit: stable across processes, unlike string.GetHashCode
        foreach (byte b in Encoding.UTF8.GetBytes(text)) h = (h ^ b) * 1099511628211UL;
        var all = _mpi.AllGather(unchecked((long)h));
        if (all.Distinct().Count() > 1)
            throw new InvalidOperationException($"ranks disagree on their {what} (rank {_mpi.Rank}: {Truncate(text)}); " +
                "every rank must build the same model and report the same losses");
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>Frees the staging buffer.</summary>
    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
        _staging = [];
    }
}
