using LaMo.Distributed;

namespace LaMo.Cli.Commands;

/// <summary>The MPI side of a command (training: <c>lamo train</c>, <c>lamo prior train</c>; sharded jobs: see
/// <see cref="Sharding"/>). Under <c>mpirun</c>/<c>srun</c> every rank runs the command on its share and only rank 0
/// prints or writes the final outputs; a plain process gets no MPI at all (<see cref="Context"/> is null).</summary>
public sealed class MpiSession : IDisposable
{
    /// <summary>Open MPI's count of this job's ranks on this node.</summary>
    public const string LocalSizeVariable = "OMPI_COMM_WORLD_LOCAL_SIZE";

    private readonly MpiContext? _mpi;

    private MpiSession(MpiContext? mpi, TextWriter output)
    {
        _mpi = mpi;
        Sync = mpi is null ? null : new MpiGradientSync(mpi);
        Output = mpi is { IsRoot: false } ? TextWriter.Null : output;
    }

    /// <summary>The MPI job; null for a single process.</summary>
    public MpiContext? Context => _mpi;

    /// <summary>Gradient averaging over the job's ranks; null for a single process.</summary>
    public MpiGradientSync? Sync { get; }

    /// <summary>The command's output on rank 0 (or a single process); <see cref="TextWriter.Null"/> on other ranks.</summary>
    public TextWriter Output { get; }

    /// <summary>Initialises MPI when launched by an MPI launcher. Ranks on one node share its cores: unless
    /// <c>OMP_NUM_THREADS</c> is set, each uses <see cref="ThreadsPerRank"/> LibTorch threads.</summary>
    public static MpiSession Start(TextWriter output)
    {
        var mpi = MpiContext.TryInitialize();
        if (mpi is not null && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null &&
            int.TryParse(Environment.GetEnvironmentVariable(LocalSizeVariable), out int local))
            TorchSharp.torch.set_num_threads(ThreadsPerRank(Environment.ProcessorCount, local));
        return new MpiSession(mpi, output);
    }

    /// <summary>cores / ranks on the node, at least 1.</summary>
    public static int ThreadsPerRank(int cores, int ranksOnNode) => Math.Max(1, cores / Math.Max(1, ranksOnNode));

    /// <summary>Fails on every rank alike (before any collective) when the ranks do not divide <paramref name="globalBatch"/>.</summary>
    /// <exception cref="ArgumentException">Not a multiple of the rank count.</exception>
    public void CheckGlobalBatch(int globalBatch) => Sync?.Shard.LocalBatch(globalBatch);

    /// <summary>Runs <paramref name="train"/>. When it throws on one rank of several, that rank reports the error and
    /// aborts the job: the other ranks would otherwise wait forever in their next collective.</summary>
    public T Run<T>(Func<T> train, TextWriter error)
    {
        try { return train(); }
        catch (Exception e) when (_mpi is { Size: > 1 })
        {
            error.WriteLine($"rank {_mpi.Rank}: error: {e.Message}");
            error.Flush();
            _mpi.Abort(CliApp.ExitCodeFor(e));   // the same code as a single process (2: a refused --out, a bad argument)
            throw;   // not reached: MPI_Abort ends every process of the job
        }
    }

    /// <summary>Frees the gradient buffers and finalises MPI.</summary>
    public void Dispose()
    {
        Sync?.Dispose();
        _mpi?.Dispose();
    }
}
