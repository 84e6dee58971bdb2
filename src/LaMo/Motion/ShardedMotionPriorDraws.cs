using LaMo.Data;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Makes <see cref="MotionPriorLoss"/>'s draws for the whole global batch and hands this rank the rows of its
/// videos, so a data-parallel run draws exactly what one process with the global batch draws.</summary>
/// <remarks>The loss asks for one draw per frame pair, pairs ordered video-major (pair n belongs to video n / P, with
/// P = T − 1 pairs per video). A request for the local N = B_local·P pairs becomes a request for N·ranks pairs to
/// <c>global</c>; the result is viewed as [B_global, P, ...] and the <see cref="DataShard"/> takes this rank's videos.
/// With one rank the draws are <c>global</c>'s, unchanged.</remarks>
public sealed class ShardedMotionPriorDraws : IMotionPriorDraws
{
    private readonly IMotionPriorDraws _global;
    private readonly DataShard _shard;
    private readonly long _pairsPerVideo;

    /// <summary>Wraps <paramref name="global"/> (borrowed, not disposed).</summary>
    /// <param name="global">The source of the global batch's draws, a pure function of (seed, step).</param>
    /// <param name="shard">This rank's videos of the global batch.</param>
    /// <param name="pairsPerVideo">P = latent frames − 1.</param>
    public ShardedMotionPriorDraws(IMotionPriorDraws global, DataShard shard, long pairsPerVideo)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(shard);
        shard.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairsPerVideo);
        _global = global; _shard = shard; _pairsPerVideo = pairsPerVideo;
    }

    /// <inheritdoc />
    public Tensor PromptKeep(long n) => Mine(_global.PromptKeep(GlobalPairs(n)));

    /// <inheritdoc />
    public Tensor AugmentGate(long n) => Mine(_global.AugmentGate(GlobalPairs(n)));

    /// <inheritdoc />
    public Tensor AugmentTimesteps(long n, long numTimesteps) => Mine(_global.AugmentTimesteps(GlobalPairs(n), numTimesteps));

    /// <inheritdoc />
    public Tensor AugmentLevel(long n) => Mine(_global.AugmentLevel(GlobalPairs(n)));

    /// <inheritdoc />
    public Tensor Noise(long[] shape) => Mine(_global.Noise([GlobalPairs(shape[0]), .. shape[1..]]));

    private long GlobalPairs(long localPairs)
    {
        if (localPairs % _pairsPerVideo != 0)
            throw new ArgumentException($"{localPairs} pairs are not whole videos of {_pairsPerVideo} pairs", nameof(localPairs));
        return localPairs * _shard.Count;
    }

    /// <summary>[N_global, ...] → [B_global, P, ...] → this rank's videos [B_local, P, ...] → [N_local, ...].</summary>
    private Tensor Mine(Tensor global)
    {
        if (_shard.Count == 1) return global;
        long[] rest = global.shape[1..];
        var byVideo = global.reshape([global.shape[0] / _pairsPerVideo, _pairsPerVideo, .. rest]);
        return _shard.Take(byVideo).reshape([-1, .. rest]);
    }
}
