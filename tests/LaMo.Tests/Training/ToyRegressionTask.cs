using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>y = 3x − 1 fitted by a Linear layer; each step's batch is a pure function of (seed, step).</summary>
internal sealed class ToyRegressionTask : ITrainingTask
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly int _seed;
    public int? NanAtStep { get; init; }

    public ToyRegressionTask(int seed)
    {
        _seed = seed;
        manual_seed(seed);
        _model = nn.Linear(1, 1);
        SavedModules = new Dictionary<string, nn.Module> { ["model"] = _model };
        Groups = [new ScheduledGroup(new OptimizerGroup("model", ParamGroups.Trainable(_model), 1e-4, 1.0), 0.3, 3, LrScheduleKind.Cosine)];
    }

    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }
    public IReadOnlyList<ScheduledGroup> Groups { get; }
    public nn.Module<Tensor, Tensor> Model => _model;

    public IReadOnlyDictionary<string, double> ForwardBackward(int step)
    {
        using var g = new Generator((ulong)(_seed * 100_003 + step));
        var x = randn(16, 1, generator: g);
        var y = 3 * x - 1;
        var loss = (_model.forward(x) - y).pow(2).mean();
        if (NanAtStep == step) loss = loss * double.NaN;
        loss.backward();
        return new Dictionary<string, double> { ["loss"] = loss.item<float>() };
    }
}
