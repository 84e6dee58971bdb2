using static TorchSharp.torch;

namespace LaMo.Data;

/// <summary>Which part of every global batch this rank trains on: rank <c>r</c> of <c>N</c> takes items
/// <c>r, r + N, r + 2N, ...</c> of the step's global batch.</summary>
/// <remarks>
/// <para>The global batch size is the fixed hyper-parameter and the per-rank batch is derived (global / N), so the
/// averaged gradient is the gradient of the same global batch whatever N is, and a run can resume with a different
/// number of ranks. The step's global batch (and every random draw of the step: noise, timesteps, augmentations) must
/// be a pure function of (seed, step, item index) — never of the rank — so all ranks agree on it without communicating.
/// The cheapest way for small per-item draws is to draw them for the whole global batch on every rank and take this
/// rank's slice with <see cref="Take"/>; for costly items (decoded video) compute only <see cref="Indices"/>.</para>
/// <para>Seeds: model initialisation uses the run's seed on every rank and is then overwritten by rank 0's parameters
/// (<see cref="Training.IGradientSync.BroadcastParameters"/>). A per-rank stream (e.g. dropout masks) may use
/// <c>seed + rank</c>; it is the only rank-dependent randomness and makes a run reproducible only for the same N.</para>
/// </remarks>
/// <param name="Rank">This rank, 0 ≤ rank &lt; <paramref name="Count"/>.</param>
/// <param name="Count">Number of ranks N.</param>
public sealed record DataShard(int Rank, int Count)
{
    /// <summary>The whole batch (one process).</summary>
    public static DataShard Single { get; } = new(0, 1);

    /// <summary>Parses <c>i/N</c> (e.g. <c>0/4</c>), as given to <c>--shard</c>.</summary>
    /// <exception cref="ArgumentException">Not of the form i/N with 0 ≤ i &lt; N.</exception>
    public static DataShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1 || i >= n)
            throw new ArgumentException($"--shard '{text}' must be i/N with 0 <= i < N (e.g. 0/4)", "shard");
        return new DataShard(i, n);
    }

    /// <summary>True when item <paramref name="index"/> of a job's list belongs to this shard (round robin:
    /// <c>index mod Count == Rank</c>, so sorted lists split evenly).</summary>
    public bool Owns(int index) => index % Count == Rank;

    /// <summary><c>i/N</c>.</summary>
    public override string ToString() => $"{Rank}/{Count}";

    /// <summary>Checks the ranges; names the bad field.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Count, "count");
        ArgumentOutOfRangeException.ThrowIfNegative(Rank, "rank");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(Rank, Count, "rank");
    }

    /// <summary>Per-rank batch for <paramref name="globalBatch"/>.</summary>
    /// <exception cref="ArgumentException">The global batch is not a multiple of the rank count.</exception>
    public int LocalBatch(int globalBatch)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(globalBatch, "global_batch");
        if (globalBatch % Count != 0)
            throw new ArgumentException($"global_batch ({globalBatch}) must be a multiple of the number of ranks ({Count})", "global_batch");
        return globalBatch / Count;
    }

    /// <summary>Indices into the global batch that this rank takes: <c>Rank, Rank + Count, ...</c>.</summary>
    public int[] Indices(int globalBatch)
    {
        int n = LocalBatch(globalBatch);
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = Rank + i * Count;
        return idx;
    }

    /// <summary>This rank's items of <paramref name="globalBatch"/> split into passes of <paramref name="microBatch"/> items
    /// (gradient accumulation): pass k is the shard <c>(Rank + k·Count) of Count·K</c>, K = local batch / micro batch.
    /// Together the K passes take exactly this rank's items, and each pass follows the same sharding rule, so code that
    /// slices global draws with a shard needs no change. <paramref name="microBatch"/> 0 = one pass (this shard).</summary>
    /// <exception cref="ArgumentException">The micro batch does not divide the local batch.</exception>
    public IReadOnlyList<DataShard> MicroShards(int globalBatch, int microBatch)
    {
        int local = LocalBatch(globalBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(microBatch, "micro_batch_size");
        if (microBatch == 0 || microBatch == local) return [this];
        if (local % microBatch != 0)
            throw new ArgumentException($"micro_batch_size ({microBatch}) must divide the per-rank batch ({local} = batch_size {globalBatch} / {Count} ranks)", "micro_batch_size");
        int passes = local / microBatch;
        return Enumerable.Range(0, passes).Select(k => new DataShard(Rank + k * Count, Count * passes)).ToArray();
    }

    /// <summary>This rank's items of a global batch tensor along <paramref name="dim"/> (a strided view, no copy).</summary>
    /// <param name="globalBatch">[B_global, ...] (or B_global along <paramref name="dim"/>).</param>
    public Tensor Take(Tensor globalBatch, long dim = 0)
    {
        int b = checked((int)globalBatch.shape[dim]);
        LocalBatch(b);
        return globalBatch.slice(dim, Rank, b, Count);   // [B_global, ...] → [B_global / N, ...]
    }
}
