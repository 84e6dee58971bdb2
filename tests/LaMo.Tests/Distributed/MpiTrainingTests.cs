using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>Temp folder plus the straight 2-rank run that several tests compare against (run once).</summary>
public sealed class MpiRunFixture : IDisposable
{
    public const int Steps = 8, GlobalBatch = 16;
    public string Dir { get; } = Directory.CreateTempSubdirectory("lamo-mpi-").FullName;
    private readonly Lazy<SortedDictionary<int, double>> _straight;

    public MpiRunFixture() =>
        _straight = new(() => MpiDriverRunner.Train(2, Path.Combine(Dir, "straight2"), Steps, GlobalBatch, "--checkpoint-every", "4",
            "--bucket-bytes", "64"));

    /// <summary>Losses of an uninterrupted 2-rank run (global batch 16, per rank 8), with 16-float buckets so that the
    /// 97 parameters span 7 buckets and tensors are split across buckets. Element-wise sums do not depend on the
    /// bucketing, so runs with the default 25 MiB buckets must match it bit for bit.</summary>
    public SortedDictionary<int, double> StraightTwoRanks => _straight.Value;

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary>Data-parallel training over Open MPI on localhost: 2 ranks × batch b ≡ 1 rank × batch 2b, and exact resume.</summary>
[Collection("Torch")]
public sealed class MpiTrainingTests(MpiRunFixture fx) : IClassFixture<MpiRunFixture>
{
    private const int Steps = MpiRunFixture.Steps, GlobalBatch = MpiRunFixture.GlobalBatch;

    /// <summary>The same task and loop in this process, without MPI (1 rank takes the whole global batch).</summary>
    private TrainingResult TrainInProcess(string run, int? stopAfter = null)
    {
        var task = new ShardedToyTask(seed: 11, GlobalBatch, DataShard.Single);
        var loop = new TrainingLoop(task, new TrainingLoopOptions(Path.Combine(fx.Dir, run), Steps, LogEvery: 1, CheckpointEvery: 4),
            new JsonObject { ["task"] = "sharded-toy", ["global_batch"] = GlobalBatch });
        using var cts = new CancellationTokenSource();
        return loop.Run(new SyncProgress(p => { if (p.Step == stopAfter) cts.Cancel(); }), cts.Token);
    }

    [MpiFact]
    public void TwoRanksOfBatch8_MatchOneRankOfBatch16_LossesAndWeights()
    {
        var single = TrainInProcess("single");
        var two = fx.StraightTwoRanks;
        Assert.Equal(Enumerable.Range(0, Steps), two.Keys);
        foreach (var (step, m) in single.History)
            Assert.True(Math.Abs(m["loss"] - two[step]) <= 1e-5 * Math.Max(1, Math.Abs(m["loss"])),
                $"step {step}: 1 rank {m["loss"]:R} vs 2 ranks {two[step]:R}");
        Assert.True(single.History[^1].Metrics["loss"] != single.History[0].Metrics["loss"]);

        var w1 = CheckpointStore.ReadGroup(single.LastCheckpoint!, "model");
        var w2 = CheckpointStore.ReadGroup(Path.Combine(fx.Dir, "straight2", "checkpoints", $"step-{Steps:D6}"), "model");
        Assert.Equal(w1.Keys.Order(), w2.Keys.Order());
        foreach (var (k, t) in w1)
            Assert.True(allclose(t, w2[k], rtol: 1e-5, atol: 1e-6), $"{k}: max |Δ| = {(t - w2[k]).abs().max().item<float>()}");
    }

    [MpiFact]
    public void TwoRanks_InterruptThenResume_ContinuesBitIdentically()
    {
        string run = Path.Combine(fx.Dir, "split2");
        var first = MpiDriverRunner.Train(2, run, Steps, GlobalBatch, "--checkpoint-every", "4", "--stop-after", "5");
        Assert.Equal(Enumerable.Range(0, 5), first.Keys);
        var second = MpiDriverRunner.Train(2, run, Steps, GlobalBatch, "--checkpoint-every", "4", "--resume");
        Assert.Equal(Enumerable.Range(5, Steps - 5), second.Keys);
        foreach (var (step, loss) in first.Concat(second))
            Assert.Equal(fx.StraightTwoRanks[step], loss);   // bit-identical: same ranks, same reduction order
        Assert.Equal(Enumerable.Range(1, Steps), MetricsLog.Read(Path.Combine(run, "metrics.csv")).Select(r => r.Step));
    }

    [MpiFact]
    public void OneRankCheckpoint_ResumedOnTwoRanks_ContinuesWithinFloatTolerance()
    {
        var first = TrainInProcess("regrow", stopAfter: 3);
        Assert.True(first.Interrupted);
        var second = MpiDriverRunner.Train(2, Path.Combine(fx.Dir, "regrow"), Steps, GlobalBatch, "--checkpoint-every", "4", "--resume");
        Assert.Equal(Enumerable.Range(3, Steps - 3), second.Keys);
        foreach (var (step, loss) in second)
            Assert.True(Math.Abs(loss - fx.StraightTwoRanks[step]) <= 1e-5 * Math.Max(1, Math.Abs(loss)),
                $"step {step}: resumed {loss:R} vs straight {fx.StraightTwoRanks[step]:R}");
    }

    private sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
