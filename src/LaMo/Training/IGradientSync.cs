using TorchSharp.Modules;

namespace LaMo.Training;

/// <summary>Data-parallel collective operations the training loop needs (implemented over MPI in
/// <c>LaMo.Distributed</c>). Every rank runs the same loop on its shard of each global batch.</summary>
public interface IGradientSync
{
    /// <summary>Rank 0 writes checkpoints, metrics and plots.</summary>
    bool IsRoot { get; }

    /// <summary>Replaces every parameter's gradient by its mean over ranks (in place).</summary>
    void AllReduceGradients(IEnumerable<Parameter> parameters);

    /// <summary>Means of named scalars over ranks (losses for logging and NaN checks).</summary>
    IReadOnlyDictionary<string, double> AverageScalars(IReadOnlyDictionary<string, double> values);

    /// <summary>Overwrites every rank's parameters with rank 0's (once, after building or restoring the model).</summary>
    void BroadcastParameters(IEnumerable<Parameter> parameters);

    /// <summary>Waits for every rank.</summary>
    void Barrier();
}
