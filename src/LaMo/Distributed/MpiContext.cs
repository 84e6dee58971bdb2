using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LaMo.Distributed;

/// <summary>This process's place in an MPI job (<c>MPI_COMM_WORLD</c>) and the collectives LaMo needs, over Open MPI.</summary>
/// <remarks>
/// <para>Created by <see cref="TryInitialize"/> only when the process was started by an MPI launcher (<c>mpirun</c>,
/// <c>srun --mpi=pmix</c>); a plain single process never loads libmpi and needs no MPI installed.
/// Disposing calls <c>MPI_Finalize</c> (once per process: MPI cannot be initialised again afterwards).</para>
/// <para>Every collective must be called by every rank, in the same order, with the same counts.
/// Calls are serialised (<c>MPI_THREAD_SERIALIZED</c>): any thread, one at a time.</para>
/// </remarks>
public sealed unsafe class MpiContext : IDisposable
{
    /// <summary>Environment variable naming the libmpi to load (defaults to <c>libmpi.so.40</c> on the loader path).</summary>
    public const string LibraryVariable = "LAMO_MPI_LIBRARY";

    // Collectives take an int count; larger spans go in chunks of this many elements.
    private const int MaxChunk = 1 << 28;

    private static readonly object Gate = new();
    private static bool _initialisedOnce;

    private readonly NativeMpi _mpi;
    private readonly bool _ownsInit;
    private IntPtr _bf16Sum;   // MPI_Op of SumBFloat16, created on first use
    private bool _disposed;

    private MpiContext(NativeMpi mpi, bool ownsInit)
    {
        _mpi = mpi; _ownsInit = ownsInit;
        int rank, size;
        NativeMpi.Check(_mpi.CommRank(_mpi.CommWorld, &rank), "MPI_Comm_rank");
        NativeMpi.Check(_mpi.CommSize(_mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank; Size = size;
    }

    /// <summary>This process's rank in <c>MPI_COMM_WORLD</c>, 0 ≤ rank &lt; <see cref="Size"/>.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks in the job.</summary>
    public int Size { get; }

    /// <summary>True on rank 0 (the rank that writes checkpoints, metrics and plots).</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>True when an MPI launcher started this process (Open MPI's <c>OMPI_COMM_WORLD_SIZE</c> or PMIx's
    /// <c>PMIX_RANK</c> is set).</summary>
    public static bool LaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null ||
        Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>Initialises MPI when <see cref="LaunchedByMpi"/>; returns null for a plain single process.</summary>
    /// <exception cref="DllNotFoundException">Launched by MPI but Open MPI's libmpi cannot be loaded.</exception>
    /// <exception cref="InvalidOperationException">Called a second time in one process.</exception>
    public static MpiContext? TryInitialize()
    {
        if (!LaunchedByMpi) return null;
        lock (Gate)
        {
            if (_initialisedOnce)
                throw new InvalidOperationException("MPI is initialised once per process; reuse the first MpiContext");
            var mpi = NativeMpi.Load(Environment.GetEnvironmentVariable(LibraryVariable) ?? NativeMpi.DefaultLibrary);
            int already;
            NativeMpi.Check(mpi.Initialized(&already), "MPI_Initialized");
            if (already == 0)
            {
                int provided;
                NativeMpi.Check(mpi.InitThread(null, null, NativeMpi.ThreadSerialized, &provided), "MPI_Init_thread");
            }
            _initialisedOnce = true;
            return new MpiContext(mpi, ownsInit: already == 0);
        }
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier()
    {
        ThrowIfDisposed();
        NativeMpi.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> to every rank (same length everywhere).</summary>
    public void Broadcast(Span<float> data, int root = 0) { fixed (float* p = data) Broadcast(p, data.Length, _mpi.Float, sizeof(float), root); }

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public void Broadcast(Span<double> data, int root = 0) { fixed (double* p = data) Broadcast(p, data.Length, _mpi.Double, sizeof(double), root); }

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public void Broadcast(Span<long> data, int root = 0) { fixed (long* p = data) Broadcast(p, data.Length, _mpi.Int64, sizeof(long), root); }

    /// <summary>Replaces <paramref name="data"/> by its element-wise sum over ranks (<c>MPI_IN_PLACE</c>).</summary>
    public void AllReduceSum(Span<float> data) { fixed (float* p = data) AllReduceSum(p, data.Length, _mpi.Float, sizeof(float)); }

    /// <inheritdoc cref="AllReduceSum(Span{float})"/>
    public void AllReduceSum(Span<double> data) { fixed (double* p = data) AllReduceSum(p, data.Length, _mpi.Double, sizeof(double)); }

    /// <inheritdoc cref="AllReduceSum(Span{float})"/>
    public void AllReduceSum(Span<long> data) { fixed (long* p = data) AllReduceSum(p, data.Length, _mpi.Int64, sizeof(long)); }

    /// <summary>Replaces the bfloat16 values <paramref name="data"/> (raw bits, see <see cref="BFloat16Bits"/>) by their
    /// element-wise sum over ranks, in place. MPI has no bf16 type: the buffer travels as 2-byte <c>MPI_UINT16_T</c>
    /// elements reduced by a user-defined operation that adds in float32 and rounds each partial sum to bf16 (ties to
    /// even; NaN stays NaN). With more than 2 ranks the result depends on MPI's reduction order, as every low-precision
    /// all-reduce does.</summary>
    public void AllReduceSumBFloat16(Span<ushort> data)
    {
        ThrowIfDisposed();
        if (_bf16Sum == IntPtr.Zero)
        {
            IntPtr op;
            NativeMpi.Check(_mpi.OpCreate(&SumBFloat16, 1, &op), "MPI_Op_create");   // 1: commutative
            _bf16Sum = op;
        }
        fixed (ushort* p = data) AllReduce(p, data.Length, _mpi.UInt16, sizeof(ushort), _bf16Sum);
    }

    /// <summary>The MPI user function of <see cref="AllReduceSumBFloat16"/>: inout[i] = bf16(in[i] + inout[i]).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void SumBFloat16(void* input, void* inout, int* length, IntPtr* datatype)
    {
        // Called by libmpi; must not throw. The datatype is always MPI_UINT16_T (the only one this op is used with).
        var a = (ushort*)input;
        var b = (ushort*)inout;
        for (int i = 0, n = *length; i < n; i++) b[i] = BFloat16Bits.Add(a[i], b[i]);
    }

    /// <summary>Gathers <paramref name="send"/> of every rank into <paramref name="receive"/>, rank by rank
    /// (<c>receive.Length == send.Length × Size</c>).</summary>
    /// <exception cref="ArgumentException">Wrong <paramref name="receive"/> length.</exception>
    public void AllGather(ReadOnlySpan<double> send, Span<double> receive)
    {
        CheckGather(send.Length, receive.Length);
        fixed (double* s = send) fixed (double* r = receive)
            NativeMpi.Check(_mpi.Allgather(s, send.Length, _mpi.Double, r, send.Length, _mpi.Double, _mpi.CommWorld), "MPI_Allgather");
    }

    /// <inheritdoc cref="AllGather(ReadOnlySpan{double}, Span{double})"/>
    public void AllGather(ReadOnlySpan<long> send, Span<long> receive)
    {
        CheckGather(send.Length, receive.Length);
        fixed (long* s = send) fixed (long* r = receive)
            NativeMpi.Check(_mpi.Allgather(s, send.Length, _mpi.Int64, r, send.Length, _mpi.Int64, _mpi.CommWorld), "MPI_Allgather");
    }

    /// <summary>One value per rank, indexed by rank.</summary>
    public long[] AllGather(long value)
    {
        var all = new long[Size];
        AllGather([value], all);
        return all;
    }

    /// <summary>In-place sum over ranks of <paramref name="count"/> floats at <paramref name="data"/> (a pinned or native
    /// buffer, e.g. a contiguous CPU tensor's storage).</summary>
    internal void AllReduceSumFloats(float* data, long count) => AllReduceSum(data, count, _mpi.Float, sizeof(float));

    /// <summary>Broadcast from <paramref name="root"/> of <paramref name="count"/> floats at <paramref name="data"/>.</summary>
    internal void BroadcastFloats(float* data, long count, int root) => Broadcast(data, count, _mpi.Float, sizeof(float), root);

    private void AllReduceSum(void* data, long count, IntPtr type, int elementSize) => AllReduce(data, count, type, elementSize, _mpi.OpSum);

    private void AllReduce(void* data, long count, IntPtr type, int elementSize, IntPtr op)
    {
        ThrowIfDisposed();
        for (long off = 0; off < count; off += MaxChunk)
        {
            int n = (int)Math.Min(MaxChunk, count - off);
            NativeMpi.Check(_mpi.Allreduce((void*)NativeMpi.InPlace, (byte*)data + off * elementSize, n, type, op, _mpi.CommWorld),
                "MPI_Allreduce");
        }
    }

    private void Broadcast(void* data, long count, IntPtr type, int elementSize, int root)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        for (long off = 0; off < count; off += MaxChunk)
        {
            int n = (int)Math.Min(MaxChunk, count - off);
            NativeMpi.Check(_mpi.Bcast((byte*)data + off * elementSize, n, type, root, _mpi.CommWorld), "MPI_Bcast");
        }
    }

    private void CheckGather(int sendLength, int receiveLength)
    {
        ThrowIfDisposed();
        if ((long)sendLength * Size != receiveLength)
            throw new ArgumentException($"receive length ({receiveLength}) must be send length ({sendLength}) × ranks ({Size})", "receive");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Calls <c>MPI_Finalize</c> (when this context initialised MPI). Every rank must dispose.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int finalized;
        if (_bf16Sum != IntPtr.Zero && _mpi.Finalized(&finalized) == 0 && finalized == 0)
        {
            IntPtr op = _bf16Sum;
            _mpi.OpFree(&op);
            _bf16Sum = IntPtr.Zero;
        }
        if (_ownsInit && _mpi.Finalized(&finalized) == 0 && finalized == 0) _mpi.Finalize();
    }

    /// <summary>Aborts every rank of the job with <paramref name="errorCode"/> (use when one rank fails and the others
    /// would otherwise wait forever in a collective).</summary>
    public void Abort(int errorCode) => _mpi.Abort(_mpi.CommWorld, errorCode);
}
