using LaMo.Data;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Gradient accumulation over the passes of <see cref="DataShard.MicroShards"/>.</summary>
public static class MicroBatching
{
    /// <summary>Runs one forward/backward per pass with its loss scaled by 1 / passes (so the accumulated gradient is the
    /// mean over the rank's items, as one pass would give) and returns the passes' mean of every logged scalar.</summary>
    /// <param name="passes">The rank's micro shards.</param>
    /// <param name="pass">Forward + backward of one shard with the given loss scale; returns its (unscaled) scalars.</param>
    public static IReadOnlyDictionary<string, double> Accumulate(IReadOnlyList<DataShard> passes,
        Func<DataShard, double, IReadOnlyDictionary<string, double>> pass)
    {
        if (passes.Count == 1) return pass(passes[0], 1.0);
        var sums = new Dictionary<string, double>();
        foreach (var shard in passes)
        {
            using var scope = NewDisposeScope();   // a pass's activations go before the next pass starts
            foreach (var (k, v) in pass(shard, 1.0 / passes.Count)) sums[k] = sums.GetValueOrDefault(k) + v / passes.Count;
        }
        return sums;
    }
}
