using LaMo.Data;
using LaMo.Distributed;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>A two-layer MLP fitting y = sin(x·w*); each step's GLOBAL batch is a pure function of (seed, step) and this
/// rank takes its <see cref="DataShard"/> of it. Shared (linked) with tests/MpiDriver.</summary>
internal sealed class ShardedToyTask : ITrainingTask
{
    public const int Inputs = 4, Hidden = 16;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly int _seed, _globalBatch;
    private readonly DataShard _shard;

    public ShardedToyTask(int seed, int globalBatch, DataShard shard)
    {
        _seed = seed; _globalBatch = globalBatch; _shard = shard;
        shard.LocalBatch(globalBatch);   // validates divisibility
        manual_seed(seed);
        _model = nn.Sequential(nn.Linear(Inputs, Hidden), nn.Tanh(), nn.Linear(Hidden, 1));
        SavedModules = new Dictionary<string, nn.Module> { ["model"] = _model };
        Groups = [new ScheduledGroup(new OptimizerGroup("model", ParamGroups.Trainable(_model), 1e-4, 1.0), 0.05, 2, LrScheduleKind.Cosine)];
    }

    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    public IReadOnlyDictionary<string, double> ForwardBackward(int step)
    {
        using var g = new Generator((ulong)(_seed * 100_003 + step));
        var x = randn(_globalBatch, Inputs, generator: g);                       // [B_global, 4], same on every rank
        var y = (x.matmul(tensor(new[] { 1f, -2f, 0.5f, 3f })) * 0.5).sin().unsqueeze(1);   // [B_global, 1]
        var xs = _shard.Take(x);                                                  // [B_global / N, 4]
        var ys = _shard.Take(y);
        var loss = (_model.forward(xs) - ys).pow(2).mean();
        loss.backward();
        return new Dictionary<string, double> { ["loss"] = loss.item<float>() };
    }
}
